/** The {@code atoll} command line: {@code run} one tool call, {@code info} about the runtime. */
package dev.atoll.gateway.cli;
