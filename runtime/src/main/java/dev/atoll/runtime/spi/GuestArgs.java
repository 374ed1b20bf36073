package dev.atoll.runtime.spi;

import java.util.Arrays;

/**
 * The arguments of one {@code host(...)} call, copied out of the guest as Java primitives (the guest's
 * values themselves never leave the guest thread). Each is a string, a number, a boolean or absent
 * ({@code undefined}, {@code null} or any other type).
 */
public final class GuestArgs {
    private final Object[] values;

    private GuestArgs(Object[] values) {
        this.values = values;
    }

    /**
     * @param values strings, doubles, booleans or nulls (absent)
     * @return the arguments
     * @throws IllegalArgumentException for any other type
     */
    public static GuestArgs of(Object... values) {
        Object[] copy = Arrays.copyOf(values, values.length);
        for (Object v : copy) {
            if (v != null && !(v instanceof String) && !(v instanceof Double) && !(v instanceof Boolean)) {
                throw new IllegalArgumentException("guest arguments are strings, doubles or booleans, got "
                        + v.getClass().getName());
            }
        }
        return new GuestArgs(copy);
    }

    /** @return the number of arguments */
    public int size() {
        return values.length;
    }

    /**
     * @param i index
     * @return whether argument {@code i} exists and is a string
     */
    public boolean isString(int i) {
        return i < values.length && values[i] instanceof String;
    }

    /**
     * @param i index
     * @return whether argument {@code i} exists and is a number
     */
    public boolean isNumber(int i) {
        return i < values.length && values[i] instanceof Double;
    }

    /**
     * @param i index
     * @return argument {@code i} as a string
     * @throws IllegalArgumentException if it is not a string
     */
    public String string(int i) {
        if (!isString(i)) {
            throw new IllegalArgumentException("argument " + i + " is not a string");
        }
        return (String) values[i];
    }

    /**
     * @param i index
     * @return argument {@code i} as a number
     * @throws IllegalArgumentException if it is not a number
     */
    public double number(int i) {
        if (!isNumber(i)) {
            throw new IllegalArgumentException("argument " + i + " is not a number");
        }
        return (Double) values[i];
    }

    /**
     * @param i index
     * @return whether argument {@code i} is the boolean {@code true}
     */
    public boolean isTrue(int i) {
        return i < values.length && Boolean.TRUE.equals(values[i]);
    }
}
