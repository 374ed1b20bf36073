/**
 * The server log: one line per admin mutation, upstream state change and (optionally) call, written
 * through java.util.logging as text or as one JSON object per line ({@code log.format}).
 */
package dev.atoll.gateway.internal.logs;
