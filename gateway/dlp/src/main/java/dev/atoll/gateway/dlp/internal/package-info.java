/**
 * The DLP engine's internals (not exported): keyword automaton, normalisation, bounded decoding of
 * encoded layers, per-rule regex windows, validators, the JSON walk and redaction.
 */
package dev.atoll.gateway.dlp.internal;
