/** The atoll command line, the MCP gateway (Helidon SE) and its DLP engine. */
module dev.atoll.gateway {
    requires transitive dev.atoll.runtime;
    requires dev.atoll.isolate.pool;
    requires transitive dev.atoll.host.bindings;
    requires dev.atoll.tools.examples;
    requires io.helidon.webserver;
    requires io.helidon.http;
    requires io.helidon.common.media.type;
    requires transitive com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.dataformat.yaml;
    requires com.github.benmanes.caffeine;
    requires com.nimbusds.jose.jwt;
    requires re2j;
    requires info.picocli;
    requires java.logging;
    requires java.net.http;
    requires java.sql;
    requires com.zaxxer.hikari;
    requires flyway.core;
    requires micrometer.core;
    requires micrometer.registry.prometheus;
    requires com.github.dockerjava.api;
    requires com.github.dockerjava.core;
    requires com.github.dockerjava.transport;
    requires com.github.dockerjava.transport.httpclient5;
    // docker-java's jars are automatic modules: they declare no requires, so the explicit modules they
    // use must be resolved by someone (./atoll runs with this module as its only root).
    requires org.apache.commons.lang3;
    requires org.apache.commons.io;
    requires org.apache.commons.compress;
    requires com.google.common;
    requires org.bouncycastle.pkix;
    requires org.bouncycastle.provider;
    requires org.slf4j;
    requires org.eclipse.jetty.server;
    requires org.eclipse.jetty.client;
    requires org.eclipse.jetty.http;
    requires org.eclipse.jetty.io;
    requires org.eclipse.jetty.util;

    exports dev.atoll.gateway;
    exports dev.atoll.gateway.backend;
    exports dev.atoll.gateway.cli;
    exports dev.atoll.gateway.dlp;
    exports dev.atoll.gateway.registry;
    exports dev.atoll.gateway.audit;
    exports dev.atoll.gateway.upstream;
    exports dev.atoll.gateway.upstream.spi;

    opens dev.atoll.gateway to com.fasterxml.jackson.databind;
    opens dev.atoll.gateway.cli to info.picocli;
}
