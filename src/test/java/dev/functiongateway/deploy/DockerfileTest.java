package dev.functiongateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The Dockerfile's essentials, checked as text since no Docker engine runs here: a wrapper build that compiles
 * no tests, a JRE 21+ runtime, a non-root user and group as the chart's, every port, the layers of the jar the
 * build really makes, and the operator's application.yml.
 */
class DockerfileTest {

    private final String dockerfile = read("Dockerfile");
    private final List<String> runtimeStage = runtimeStage(dockerfile);

    @Test
    void buildsWithTheWrapperAndRunsOnAJre21OrNewer() {
        assertThat(dockerfile).contains("./mvnw");
        String base = runtimeStage.get(0);
        Matcher version = Pattern.compile("FROM \\S+:(\\d+)[-.]?\\S*jre").matcher(base);
        assertThat(version.find()).as(base).isTrue();
        assertThat(Integer.parseInt(version.group(1))).isGreaterThanOrEqualTo(21);
    }

    @Test
    void buildSkipsCompilingTests() {
        assertThat(dockerfile).containsPattern("mvnw .*-Dmaven\\.test\\.skip=true .*package")
                .doesNotContainPattern("COPY src ");
    }

    @Test
    void runsAsTheChartsNonRootUserAndGroup() {
        String user = runtimeStage.stream().filter(l -> l.startsWith("USER ")).reduce((a, b) -> b).orElseThrow();
        String[] ids = user.substring(5).trim().split(":");
        Map<String, Object> pod = new Yaml().<Map<String, Map<String, Object>>>load(
                read("helm/function-gateway/values.yaml")).get("podSecurityContext");
        assertThat(ids).containsExactly(pod.get("runAsUser").toString(), pod.get("runAsGroup").toString());
        assertThat(dockerfile).contains("groupadd --system --gid " + pod.get("runAsGroup"))
                .contains("--uid " + pod.get("runAsUser") + " --gid " + pod.get("runAsGroup"));
    }

    @Test
    void exposesEveryListener() {
        String exposed = String.join(" ", runtimeStage.stream().filter(l -> l.startsWith("EXPOSE ")).toList());
        assertThat(exposed).contains("8080").contains("8081").contains("10081");
    }

    @Test
    void runsTheLayersOfTheJarTheBuildMakes() {
        Matcher finalName = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(read("pom.xml"));
        assertThat(finalName.find()).isTrue();
        String jar = "target/" + finalName.group(1) + ".jar";
        assertThat(dockerfile).contains("java -Djarmode=tools -jar " + jar + " extract --layers --launcher"
                + " --destination target/extracted");
        List<String> layers = runtimeStage.stream().filter(l -> l.startsWith("COPY --from=build")).toList();
        assertThat(layers).containsExactly(
                "COPY --from=build /src/target/extracted/dependencies/ ./",
                "COPY --from=build /src/target/extracted/spring-boot-loader/ ./",
                "COPY --from=build /src/target/extracted/snapshot-dependencies/ ./",
                "COPY --from=build /src/target/extracted/application/ ./");
        assertThat(runtimeStage.get(runtimeStage.size() - 1))
                .isEqualTo("ENTRYPOINT [\"java\", \"org.springframework.boot.loader.launch.JarLauncher\"]");
    }

    @Test
    void copiesTheOperatorsConfiguration() {
        assertThat(runtimeStage).anyMatch(l -> l.matches("COPY application\\.yml /app/application\\.yml"));
        assertThat(runtimeStage).anyMatch(l -> l.startsWith("WORKDIR /app"));
        assertThat(runtimeStage).anyMatch(l -> l.contains("MaxRAMPercentage"));
        assertThat(read(".dockerignore")).contains("target/");
    }

    private static List<String> runtimeStage(String dockerfile) {
        List<String> lines = dockerfile.lines().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
        int lastFrom = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("FROM ")) {
                lastFrom = i;
            }
        }
        return lines.subList(lastFrom, lines.size());
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
