/**
 * Requests and replies as they travel between clients and replicas (paper §2, §4).
 */
package io.lockstep.request;
