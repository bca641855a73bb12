/** The cluster configuration file: one properties file describes every replica. */
package io.lockstep.server.config;
