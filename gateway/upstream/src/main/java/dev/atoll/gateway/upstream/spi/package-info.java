/**
 * The sandbox launcher SPI: starts one upstream MCP server process in a sandbox and hands the
 * gateway its stdio. The gateway speaks MCP over those streams; launchers know nothing of MCP.
 */
package dev.atoll.gateway.upstream.spi;
