/**
 * The load tester: {@link dev.atoll.loadtest.LoadTest} (built by a builder) runs one load test and returns a
 * {@link dev.atoll.loadtest.LoadTestReport}, which prints as a table, reads and writes JSON and renders a
 * self-contained HTML report; {@link dev.atoll.loadtest.LoadTestCommand} is {@code atoll loadtest}.
 */
package dev.atoll.loadtest;
