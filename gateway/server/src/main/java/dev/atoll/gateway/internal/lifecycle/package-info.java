/** The gateway's lifecycle: one stack of everything it started, closed in reverse. Not exported. */
package dev.atoll.gateway.internal.lifecycle;
