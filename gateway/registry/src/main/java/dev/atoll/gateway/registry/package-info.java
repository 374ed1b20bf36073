/**
 * The tool registry: immutable, digest-pinned tool versions with quarantine, approval, rollback and
 * the serving catalogue; bearer tokens; change review with poisoning signs; the definitions of upstream MCP
 * servers ({@link dev.atoll.gateway.registry.UpstreamSpec} and its parts, which the upstream module
 * launches). Entry point:
 * {@link dev.atoll.gateway.registry.Registry#open(dev.atoll.gateway.registry.RegistryConfig)}.
 * See docs/registry.md.
 */
package dev.atoll.gateway.registry;
