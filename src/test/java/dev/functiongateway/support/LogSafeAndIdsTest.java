package dev.functiongateway.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.UUID;

import org.junit.jupiter.api.Test;

/** The two small parsers every request goes through: log escaping and strict ids. */
class LogSafeAndIdsTest {

    @Test
    void escapesEverythingThatCouldStartOrHideALogLine() {
        assertThat(LogSafe.escape("/v2/x\n2026-11-25 ERROR forged\r\t\u0000\u001b[31m\u2028\u200e"))
                .isEqualTo("/v2/x\\n2026-11-25 ERROR forged\\r\\t\\u0000\\u001b[31m\\u2028\\u200e");
        assertThat(LogSafe.escape("plain /path?q=1")).isEqualTo("plain /path?q=1");
        assertThat(LogSafe.escape(null)).isEqualTo("null");
    }

    @Test
    void cutsLongValuesAndSaysHowMuchWasCut() {
        String cut = LogSafe.escape("a".repeat(1000));
        assertThat(cut).startsWith("a".repeat(LogSafe.MAX_LENGTH)).endsWith("...(744 more)");
        assertThat(LogSafe.escape("\n".repeat(1000), 10)).isEqualTo("\\n\\n\\n\\n\\n...(995 more)");
        assertThat(LogSafe.escape("\n".repeat(1000), 10)).doesNotContain("\n");
    }

    @Test
    void acceptsOnlyCanonicalUuids() {
        UUID id = UUID.randomUUID();
        assertThat(Ids.parseUuid(id.toString())).isEqualTo(id);
        assertThat(Ids.parseUuid(id.toString().toUpperCase())).isEqualTo(id);
        String text = id.toString();
        for (String bad : new String[] { text.substring(1), text.substring(0, 35), text.replace("-", ""), "1-2-3-4-5",
                text.substring(0, 35) + "g", text.substring(0, 35) + "\uff11", " " + text.substring(1), "", null,
                text + "0" }) {
            assertThatIllegalArgumentException().isThrownBy(() -> Ids.parseUuid(bad))
                    .withMessageContaining("not a UUID");
        }
        assertThatIllegalArgumentException().isThrownBy(() -> Ids.parseUuid("x\ny")).withMessageContaining("x\\ny");
    }
}
