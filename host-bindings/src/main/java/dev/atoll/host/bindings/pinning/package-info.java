/**
 * Connecting only to the address the egress policy checked: {@link dev.atoll.host.bindings.pinning.Pin},
 * a Jetty request tag and the client resolver that honours it. Exported only to Atoll's upstream module.
 */
package dev.atoll.host.bindings.pinning;
