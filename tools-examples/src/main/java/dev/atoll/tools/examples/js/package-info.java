/** Resource package holding the example tool files (no classes). */
package dev.atoll.tools.examples.js;
