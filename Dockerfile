# Build with the Maven wrapper; run the jar's layers on a JRE as a non-root user.
FROM eclipse-temurin:21-jdk AS build
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
RUN ./mvnw -B -ntp dependency:go-offline
# Only the main sources: the image build neither compiles nor runs tests (CI does, with ./mvnw verify).
COPY src/main src/main
RUN ./mvnw -B -ntp -Dmaven.test.skip=true package \
    && java -Djarmode=tools -jar target/function-gateway.jar extract --layers --launcher --destination target/extracted

FROM eclipse-temurin:21-jre
# User and group 10001, as the Helm chart's runAsUser and runAsGroup.
RUN groupadd --system --gid 10001 gateway \
    && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home gateway
WORKDIR /app
# Layers from the least to the most often changed, so a code change re-pushes only the last (small) ones.
COPY --from=build /src/target/extracted/dependencies/ ./
COPY --from=build /src/target/extracted/spring-boot-loader/ ./
COPY --from=build /src/target/extracted/snapshot-dependencies/ ./
COPY --from=build /src/target/extracted/application/ ./
# Loaded from the working directory; the Helm chart mounts its own over it.
COPY application.yml /app/application.yml
RUN mkdir /app/data && chown 10001:10001 /app/data
USER 10001:10001
# 8080: admin API and HTTP route. 8081: actuator (health, prometheus). 10081: gRPC proxy.
EXPOSE 8080 8081 10081
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
