package dev.atoll.gateway.internal.mcp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** JSON-RPC 2.0 framing: a capped parser and the error codes the gateway answers with. */
public final class JsonRpc {

    /** Invalid JSON was received. */
    public static final int PARSE_ERROR = -32700;
    /** The JSON sent is not a valid request object. */
    public static final int INVALID_REQUEST = -32600;
    /** The method does not exist or is not available. */
    public static final int METHOD_NOT_FOUND = -32601;
    /** Invalid method parameters (also: unknown tool). */
    public static final int INVALID_PARAMS = -32602;
    /** Internal error. */
    public static final int INTERNAL_ERROR = -32603;
    /** MCP: a session id that this server does not know (legacy era). */
    public static final int SESSION_NOT_FOUND = -32001;
    /** MCP: an unknown resource ({@code resources/read}). */
    public static final int RESOURCE_NOT_FOUND = -32002;
    /** MCP 2026-07-28: HTTP headers do not match the body, or required headers are missing. */
    public static final int HEADER_MISMATCH = -32020;
    /** MCP 2026-07-28: the requested protocol version is not supported. */
    public static final int UNSUPPORTED_VERSION = -32022;

    private final ObjectMapper mapper;

    /**
     * Creates a parser.
     *
     * @param maxDepth deepest nesting of arrays and objects accepted
     * @param maxStringChars longest string accepted
     */
    public JsonRpc(int maxDepth, int maxStringChars) {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(maxDepth)
                        .maxStringLength(maxStringChars)
                        .maxNumberLength(100)
                        .maxNameLength(Math.min(maxStringChars, 50_000))
                        .build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        this.mapper = new ObjectMapper(factory)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    }

    /** The mapper (for writing replies). */
    public ObjectMapper mapper() {
        return mapper;
    }

    /**
     * Parses one message.
     *
     * @param body UTF-8 bytes
     * @return the tree
     * @throws RpcException {@link #PARSE_ERROR} with a safe message
     */
    public JsonNode parse(byte[] body) {
        if (body.length == 0) {
            throw new RpcException(PARSE_ERROR, "Parse error: empty body");
        }
        JsonNode tree;
        try {
            tree = mapper.readTree(body);
        } catch (IOException e) {
            String why = e instanceof com.fasterxml.jackson.core.JsonProcessingException p
                    ? p.getOriginalMessage()
                    : "unreadable body";
            throw new RpcException(PARSE_ERROR, "Parse error: " + truncate(why, 200));
        }
        if (tree == null || tree.isMissingNode()) {
            throw new RpcException(PARSE_ERROR, "Parse error: empty body");
        }
        checkUnicode(tree);
        return tree;
    }

    /** Rejects strings and names that hold an unpaired UTF-16 surrogate (from {@code \\uD800} escapes). */
    private static void checkUnicode(JsonNode root) {
        Deque<JsonNode> todo = new ArrayDeque<>();
        todo.push(root);
        while (!todo.isEmpty()) {
            JsonNode n = todo.pop();
            if (n.isTextual()) {
                requireWellFormed(n.textValue());
            } else if (n.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = n.properties().iterator(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    requireWellFormed(e.getKey());
                    todo.push(e.getValue());
                }
            } else if (n.isArray()) {
                n.forEach(todo::push);
            }
        }
    }

    private static void requireWellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                throw new RpcException(PARSE_ERROR, "Parse error: string holds an unpaired surrogate");
            }
            if (Character.isLowSurrogate(c)) {
                throw new RpcException(PARSE_ERROR, "Parse error: string holds an unpaired surrogate");
            }
        }
    }

    /**
     * A JSON-RPC error response.
     *
     * @param id the request id, or null node
     * @param code the code
     * @param message the message
     * @return the response object
     */
    public static ObjectNode error(@Nullable JsonNode id, int code, String message) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("jsonrpc", "2.0");
        n.set("id", id == null ? JsonNodeFactory.instance.nullNode() : id);
        n.putObject("error").put("code", code).put("message", message);
        return n;
    }

    /**
     * A JSON-RPC result response.
     *
     * @param id the request id
     * @param result the result
     * @return the response object
     */
    public static ObjectNode result(JsonNode id, JsonNode result) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("jsonrpc", "2.0");
        n.set("id", id);
        n.set("result", result);
        return n;
    }

    /**
     * A JSON-RPC notification.
     *
     * @param method the method
     * @param params the params, or null for none
     * @return the notification object
     */
    public static ObjectNode notification(String method, @Nullable JsonNode params) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("jsonrpc", "2.0");
        n.put("method", method);
        if (params != null) {
            n.set("params", params);
        }
        return n;
    }

    static String truncate(@Nullable String s, int max) {
        String one = s == null ? "" : s.replaceAll("[\\r\\n\\t]+", " ");
        return one.length() <= max ? one : one.substring(0, max) + "...";
    }

    /** A protocol failure that becomes a JSON-RPC error response. */
    public static final class RpcException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int code;
        private final int httpStatus;
        /** The message, as given (Throwable's {@code getMessage()} is nullable in general). */
        private final String message;

        private final transient @Nullable JsonNode data;

        /**
         * Creates the exception with HTTP status 400.
         *
         * @param code JSON-RPC code
         * @param message safe message
         */
        public RpcException(int code, String message) {
            this(code, message, 400, null);
        }

        /**
         * Creates the exception.
         *
         * @param code JSON-RPC code
         * @param message safe message
         * @param httpStatus the HTTP status to answer with
         * @param data optional error data, or null for none
         */
        public RpcException(int code, String message, int httpStatus, @Nullable JsonNode data) {
            super(message, null, false, false);
            this.code = code;
            this.httpStatus = httpStatus;
            this.message = message;
            this.data = data;
        }

        /** The JSON-RPC code. */
        public int code() {
            return code;
        }

        /** The HTTP status. */
        public int httpStatus() {
            return httpStatus;
        }

        /** The error object for a response with the given id (null: the request's id is unknown). */
        public ObjectNode toResponse(@Nullable JsonNode id) {
            ObjectNode r = error(id, code, message);
            if (data != null) {
                ((ObjectNode) r.get("error")).set("data", data);
            }
            return r;
        }
    }
}
