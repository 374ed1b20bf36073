/**
 * The backend SPI: where a {@code tools/call} goes once the pipeline (authorisation, quarantine,
 * DLP, audit) has let it through. Isolate tools and upstream MCP servers implement it alike.
 */
package dev.atoll.gateway.backend;
