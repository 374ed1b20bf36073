/**
 * Data loss prevention for tool calls: a rule pack of secret and PII detectors ({@link
 * dev.atoll.gateway.dlp.RulePack}), an engine that scans JSON payloads and text ({@link
 * dev.atoll.gateway.dlp.DlpEngine}) and a policy that turns matches into a verdict per direction,
 * tenant and tool: allow, block or redact ({@link dev.atoll.gateway.dlp.DlpPolicy}). No match, result,
 * log line or exception ever carries a matched value, only a keyed hash prefix of it.
 */
package dev.atoll.gateway.dlp;
