/**
 * Implementation of the host bindings, not exported: IP literal parsing in every notation a
 * resolver accepts, address range classification, CIDR matching and host name syntax; the fetch
 * machinery (Jetty client with a pinned-address resolver, per-fetch tasks, secret substitution and
 * scrubbing) and its guest script {@code fetch.js}.
 */
package dev.atoll.host.bindings.internal;
