/**
 * The Atoll gateway: {@link dev.atoll.gateway.Gateway} serves MCP over Streamable HTTP and the admin
 * API on Helidon SE, configured by {@link dev.atoll.gateway.GatewayConfig}.
 */
package dev.atoll.gateway;
