/**
 * Public API of the runtime: {@link dev.atoll.runtime.ToolRuntime} loads a tool file into a
 * {@link dev.atoll.runtime.Tool} and runs calls of it, each in a fresh context, ending in one
 * {@link dev.atoll.runtime.Outcome} of a closed set.
 */
package dev.atoll.runtime;
