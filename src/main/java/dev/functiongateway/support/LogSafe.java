package dev.functiongateway.support;

/**
 * Makes text from a request or a stored record safe for one log line: control characters (line breaks above
 * all, which would let a client forge log lines) are written as escapes, and long values are cut.
 */
public final class LogSafe {

    /** Characters kept of one value; longer values end with an ellipsis. */
    static final int MAX_LENGTH = 512;

    private LogSafe() {
    }

    /** The value with {@code \n}, {@code \r}, {@code \t} and other control characters escaped; "null" for null. */
    public static String escape(CharSequence value) {
        if (value == null) {
            return "null";
        }
        int length = Math.min(value.length(), MAX_LENGTH);
        StringBuilder out = null;
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            boolean control = Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
            if (control && out == null) {
                out = new StringBuilder(length + 16).append(value, 0, i);
            }
            if (out != null) {
                switch (c) {
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default -> {
                        if (control) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
        }
        String escaped = out != null ? out.toString() : value.subSequence(0, length).toString();
        return value.length() > MAX_LENGTH ? escaped + "…" : escaped;
    }
}
