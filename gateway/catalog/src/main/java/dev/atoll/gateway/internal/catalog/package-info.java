/** The isolate backend that runs JS and Python tools, and the features of isolate modules and upstream servers. */
package dev.atoll.gateway.internal.catalog;
