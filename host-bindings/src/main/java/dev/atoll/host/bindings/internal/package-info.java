/**
 * Implementation of the host bindings, not exported: IP literal parsing in every notation a
 * resolver accepts, address range classification, CIDR matching and host name syntax.
 */
package dev.atoll.host.bindings.internal;
