/** Access to the example tool files bundled in this module ({@link dev.atoll.tools.examples.Examples}). */
package dev.atoll.tools.examples;
