/**
 * The live tail: an in-process bus of events (calls as they finish, admin actions, upstream state
 * changes) that {@code GET /v1/tail}, {@code atoll tail} and the web UI's Calls page stream. Publishing
 * never blocks: each subscriber has a bounded queue and is dropped, with a notice, when it falls
 * behind. Not exported.
 */
package dev.atoll.gateway.internal.tail;
