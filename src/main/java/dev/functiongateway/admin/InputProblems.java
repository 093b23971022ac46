package dev.functiongateway.admin;

import java.time.temporal.Temporal;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import dev.functiongateway.support.LogSafe;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.InvalidNullException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.exc.ValueInstantiationException;

/**
 * Says what is wrong with a request body in the request's own terms (field path, expected JSON kind, value
 * given), never in Java's: Jackson's messages name classes and constructors.
 */
final class InputProblems {

    /** Longest part of a refused value repeated in a message. */
    private static final int ECHO_LENGTH = 64;

    private InputProblems() {
    }

    /** A message for the client about the first Jackson failure in {@code error}'s causes, or null if none. */
    static String describe(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof JacksonException jackson) {
                return describe(jackson);
            }
        }
        return null;
    }

    private static String describe(JacksonException e) {
        String field = e.getPath().isEmpty() ? "the body" : "field '" + path(e) + "'";
        if (e instanceof UnrecognizedPropertyException unknown) {
            return "unknown field '" + LogSafe.escape(unknown.getPropertyName(), ECHO_LENGTH) + "'"
                    + (e.getPath().size() > 1 ? " in '" + path(e) + "'" : "");
        }
        if (e instanceof ValueInstantiationException && e.getCause() instanceof IllegalArgumentException own) {
            return field + ": " + own.getMessage();
        }
        if (e instanceof InvalidNullException) {
            return field + " must not be null";
        }
        if (e instanceof MismatchedInputException mismatch) {
            String given = mismatch instanceof InvalidFormatException format && format.getValue() != null
                    ? ", got '" + LogSafe.escape(String.valueOf(format.getValue()), ECHO_LENGTH) + "'" : "";
            return field + " must be " + kind(mismatch.getTargetType()) + given;
        }
        if (e instanceof InputCoercionException range) {
            return field + " is out of range for " + kind(range.getTargetType());
        }
        if (e instanceof StreamReadException) {
            // The parser's own words, minus any Java type it names in backquotes.
            String message = e.getOriginalMessage() == null ? null
                    : e.getOriginalMessage().replaceAll("`[^`]*`", "the value");
            int newline = message == null ? -1 : message.indexOf('\n');
            return "the body is not valid JSON: "
                    + LogSafe.escape(newline > 0 ? message.substring(0, newline) : message, 200)
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr() + ")");
        }
        return field + " is not valid";
    }

    private static String path(JacksonException e) {
        StringBuilder out = new StringBuilder();
        for (JacksonException.Reference ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                out.append(out.isEmpty() ? "" : ".").append(LogSafe.escape(ref.getPropertyName(), ECHO_LENGTH));
            } else if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.toString();
    }

    /** The JSON kind a Java type is read from, as a client writes it. */
    static String kind(Class<?> type) {
        if (type == null) {
            return "a different kind of value";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class
                || type == Short.class || type == short.class) {
            return "a whole number";
        }
        if (type == Double.class || type == double.class || type == Float.class || type == float.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (CharSequence.class.isAssignableFrom(type)) {
            return "a string";
        }
        if (type.isEnum()) {
            return "one of " + Arrays.stream(type.getEnumConstants()).map(String::valueOf)
                    .collect(Collectors.joining(", "));
        }
        if (type == UUID.class) {
            return "a UUID";
        }
        if (Temporal.class.isAssignableFrom(type)) {
            return "a date and time such as 2030-01-31T12:00:00Z";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "an object";
        }
        return "a different kind of value";
    }
}
