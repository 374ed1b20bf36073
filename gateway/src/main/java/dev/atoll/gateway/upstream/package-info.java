/**
 * Upstream MCP servers: stateful stdio servers that run in a sandbox (a container or a bubblewrap
 * process sandbox) and are reached through the same pipeline as isolate tools (quarantine, DLP,
 * audit, metrics). This package holds the values that describe an upstream; launchers implement
 * {@link dev.atoll.gateway.upstream.spi.SandboxLauncher}.
 */
package dev.atoll.gateway.upstream;
