/** Implementation of the load tester: arrival schedules, callers (HTTP MCP, in-process), recording, HTML. */
package dev.atoll.loadtest.internal;
