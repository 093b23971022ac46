package dev.functiongateway.support;

/**
 * Makes request data safe to put in a log line: control and line-breaking characters are written as escapes
 * ({@code \n}, {@code \r}, {@code \t}, {@code \\uXXXX}) so that no client can start a forged line, and long values
 * are cut. Use it for every value that came from a request. Thread-safe; allocation only when needed.
 */
public final class LogSafe {

    /** Longest escaped value, in characters, before it is cut; what a log line needs to identify a request. */
    public static final int MAX_LENGTH = 256;

    private LogSafe() {
    }

    /** The value escaped and cut to {@link #MAX_LENGTH}; {@code "null"} for null. */
    public static String escape(CharSequence value) {
        return escape(value, MAX_LENGTH);
    }

    /** The value escaped and cut to {@code maxLength} characters of output (plus a marker saying how many more). */
    public static String escape(CharSequence value, int maxLength) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = null;
        int length = value.length();
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            boolean unsafe = needsEscape(c);
            if (out == null && (unsafe || i >= maxLength)) {
                out = new StringBuilder(Math.min(length, maxLength) + 16).append(value, 0, i);
            }
            if (out == null) {
                continue;
            }
            if (out.length() >= maxLength) {
                return out.append("...(").append(length - i).append(" more)").toString();
            }
            if (!unsafe) {
                out.append(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out == null ? value.toString() : out.toString();
    }

    private static boolean needsEscape(char c) {
        int type = Character.getType(c);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR;
    }
}
