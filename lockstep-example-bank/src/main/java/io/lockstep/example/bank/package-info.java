/**
 * A replicated bank-account service built on Lockstep, as a user would build one: the
 * deterministic state machine ({@link io.lockstep.example.bank.Bank}), its commands and codec,
 * a typed client ({@link io.lockstep.example.bank.BankClient}) and a command line
 * ({@link io.lockstep.example.bank.BankMain}) that is a client or starts a replica through
 * {@link io.lockstep.server.LockstepReplica}.
 */
package io.lockstep.example.bank;
