/** The live catalogue of callable tool versions, and the isolate backend that runs JS tools. */
package dev.atoll.gateway.internal.catalog;
