/**
 * How a {@link dev.atoll.gateway.Gateway} is put together: the mapping of {@link dev.atoll.gateway.GatewayConfig}
 * onto the builders of the runtime, pool, fetch binding, DLP engine and upstream supervisor (checked
 * before anything starts), and one small factory per concern (registry and fleet, isolates, upstream
 * servers, the catalogue's sync, the HTTP listeners). Not exported.
 */
package dev.atoll.gateway.internal.wiring;
