/** Resource package holding the Python example tool files (no classes). */
package dev.atoll.tools.examples.python;
