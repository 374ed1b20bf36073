package dev.atoll.runtime.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import org.graalvm.polyglot.Value;
import org.jspecify.annotations.Nullable;

/**
 * Writes a Python guest value as JSON with Jackson, the way {@code json.dumps(value, allow_nan=False)}
 * would accept it: dict (string keys; int, float, bool and None keys become strings), list and tuple,
 * str, int, float, bool and None. Anything else (a set, an object, NaN) is refused with a message.
 * Runs on the guest thread, under the call's watchdog; output beyond {@code maxChars} stops the walk.
 * GraalPy tools do not import {@code json} for this: importing it costs each fresh context far more
 * than the call itself.
 */
final class GuestJson {

    private static final JsonFactory FACTORY = JsonFactory.builder().build();
    private static final int MAX_DEPTH = 1000;

    /** The value is not JSON; the message says where and why. */
    static final class NotJson extends Exception {
        private static final long serialVersionUID = 1L;

        NotJson(@Nullable String message) {
            super(message, null, false, false);
        }
    }

    /** The JSON text would be longer than the limit. */
    static final class TooLarge extends Exception {
        private static final long serialVersionUID = 1L;

        final long chars;

        TooLarge(long chars) {
            super(null, null, false, false);
            this.chars = chars;
        }
    }

    private GuestJson() {}

    /**
     * @param value the guest value
     * @param maxChars the largest JSON text accepted, in chars
     * @return the JSON text
     * @throws NotJson if the value is not JSON
     * @throws TooLarge if the text would exceed {@code maxChars}
     */
    static String write(Value value, long maxChars) throws NotJson, TooLarge {
        BoundedWriter out = new BoundedWriter(maxChars);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            write(g, value, 0, "result");
        } catch (IOException e) {
            if (out.exceeded) {
                throw new TooLarge(out.count);
            }
            throw new NotJson(e.getMessage());
        }
        if (out.exceeded) {
            throw new TooLarge(out.count);
        }
        return out.text.toString();
    }

    private static void write(JsonGenerator g, Value v, int depth, String path) throws IOException, NotJson {
        if (depth > MAX_DEPTH) {
            throw new NotJson(path + " is nested deeper than " + MAX_DEPTH + " levels (a cycle?)");
        }
        if (v == null || v.isNull()) {
            g.writeNull();
        } else if (v.isBoolean()) {
            g.writeBoolean(v.asBoolean());
        } else if (v.isString()) {
            g.writeString(v.asString());
        } else if (v.isNumber()) {
            if (v.fitsInLong()) {
                g.writeNumber(v.asLong());
            } else if (v.fitsInBigInteger() && !isFloat(v)) {
                BigInteger big = v.asBigInteger();
                g.writeNumber(big);
            } else if (v.fitsInDouble()) {
                double d = v.asDouble();
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    throw new NotJson(path + " is " + d + ", which JSON cannot represent");
                }
                g.writeNumber(d);
            } else {
                throw new NotJson(path + " is a number JSON cannot represent");
            }
        } else if (v.hasHashEntries()) {
            g.writeStartObject();
            Value keys = v.getHashKeysIterator();
            while (keys.hasIteratorNextElement()) {
                Value k = keys.getIteratorNextElement();
                String name;
                if (k.isString()) {
                    name = k.asString();
                } else if (k.isBoolean()) {
                    name = k.asBoolean() ? "true" : "false";
                } else if (k.isNull()) {
                    name = "null";
                } else if (k.isNumber()) {
                    name = k.fitsInLong() ? Long.toString(k.asLong()) : k.toString();
                } else {
                    throw new NotJson(path + " has a key of type " + typeName(k) + "; JSON keys are strings");
                }
                g.writeFieldName(name);
                write(g, v.getHashValue(k), depth + 1, path + "[" + name + "]");
            }
            g.writeEndObject();
        } else if (v.hasArrayElements() && isListOrTuple(v)) {
            g.writeStartArray();
            long n = v.getArraySize();
            for (long i = 0; i < n; i++) {
                write(g, v.getArrayElement(i), depth + 1, path + "[" + i + "]");
            }
            g.writeEndArray();
        } else {
            throw new NotJson(path + " is a " + typeName(v) + ", which is not JSON (use dict, list, str, int,"
                    + " float, bool or None)");
        }
    }

    private static boolean isFloat(Value v) {
        return "float".equals(typeName(v));
    }

    /** Lists, tuples and their subclasses, as json.dumps accepts; not bytes, ranges, arrays or views. */
    private static boolean isListOrTuple(Value v) {
        return !NOT_SEQUENCES.contains(typeName(v));
    }

    private static final java.util.Set<String> NOT_SEQUENCES =
            java.util.Set.of("str", "bytes", "bytearray", "memoryview", "range", "array", "deque");

    private static String typeName(Value v) {
        try {
            Value meta = v.getMetaObject();
            return meta == null ? "value" : meta.getMetaSimpleName();
        } catch (RuntimeException e) {
            return "value";
        }
    }

    /** Collects the text and stops (with an IOException) past the limit. */
    private static final class BoundedWriter extends Writer {
        final StringBuilder text = new StringBuilder();
        final long max;
        long count;
        boolean exceeded;

        BoundedWriter(long max) {
            this.max = max;
        }

        @Override
        public void write(char[] buf, int off, int len) throws IOException {
            count += len;
            if (count > max) {
                exceeded = true;
                throw new IOException("too large");
            }
            text.append(buf, off, len);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }
}
