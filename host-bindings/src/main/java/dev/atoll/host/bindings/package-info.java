/**
 * Public API of the host bindings: {@link dev.atoll.host.bindings.FetchBinding}, the {@code fetch}
 * binding installed through {@code ToolRuntime.builder().binding(...)}; the
 * {@link dev.atoll.host.bindings.EgressPolicy} that decides whether a tool may reach one URL, ending in
 * one {@link dev.atoll.host.bindings.EgressDecision} of a closed set with the address to connect to
 * pinned; {@link dev.atoll.host.bindings.SecretSource} for operator secret values; and the
 * {@link dev.atoll.host.bindings.EgressInspector} SPI that sees every request and response.
 */
package dev.atoll.host.bindings;
