package dev.functiongateway.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import dev.functiongateway.auth.ApiKeyFormat;
import dev.functiongateway.auth.BearerToken;
import dev.functiongateway.support.Ids;

/**
 * Fuzzes what every request's metadata goes through before any lookup: the {@code authorization} value and
 * ids. Without {@code JAZZER_FUZZ} it replays the seeds under {@code ParsingFuzzTestInputs}; see
 * {@code scripts/fuzz.sh}.
 */
class ParsingFuzzTest {

    /** Any authorization value: no exception, and a key is well-formed only if its shape and checksum hold. */
    @FuzzTest
    void authorizationValues(FuzzedDataProvider data) {
        String authorization = data.consumeBoolean() ? null : data.consumeRemainingAsString();
        String token = BearerToken.extract(authorization);
        if (authorization == null) {
            assertThat(token).isNull();
            return;
        }
        if (ApiKeyFormat.isWellFormed(token)) {
            assertThat(token.length()).isBetween(16, 512);
            assertThat(token.chars()).allMatch(c -> c > 0x20 && c < 0x7f);
            assertThat(ApiKeyFormat.hash(token)).hasSize(64);
        }
    }

    /**
     * A generated key with any one character after its prefix changed is refused before any lookup (its
     * checksum). A changed prefix makes it a possible imported key, which only the lookup can refuse.
     */
    @FuzzTest
    void mistypedGeneratedKeys(FuzzedDataProvider data) {
        String key = ApiKeyFormat.generate();
        int position = data.consumeInt(ApiKeyFormat.PREFIX.length(), key.length() - 1);
        char replacement = data.consumeChar();
        if (replacement == key.charAt(position)) {
            return;
        }
        String mistyped = key.substring(0, position) + replacement + key.substring(position + 1);
        assertThat(ApiKeyFormat.isWellFormed(key)).isTrue();
        assertThat(ApiKeyFormat.isWellFormed(mistyped)).as(mistyped).isFalse();
    }

    /** Only canonical UUIDs parse, to the same value; everything else is an IllegalArgumentException. */
    @FuzzTest
    void uuids(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        UUID parsed;
        try {
            parsed = Ids.parseUuid(text);
        } catch (IllegalArgumentException refused) {
            assertThat(Ids.isCanonicalUuid(text)).isFalse();
            assertThat(refused.getMessage()).doesNotContain("\n");
            return;
        }
        assertThat(parsed.toString()).isEqualToIgnoringCase(text);
    }
}
