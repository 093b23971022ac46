# Build with the Maven wrapper, run on a JRE as a non-root user.
FROM eclipse-temurin:21-jdk AS build
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
RUN ./mvnw -B -ntp dependency:go-offline
COPY src src
RUN ./mvnw -B -ntp -DskipTests package

FROM eclipse-temurin:21-jre
RUN useradd --system --uid 10001 --home-dir /app gateway
WORKDIR /app
COPY --from=build /src/target/function-gateway.jar /app/function-gateway.jar
# Loaded from the working directory; the Helm chart mounts its own over it.
COPY application.yml /app/application.yml
RUN mkdir /app/data && chown 10001 /app/data
USER 10001
# 8080: admin API, actuator, HTTP route. 10081: gRPC proxy.
EXPOSE 8080 10081
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
ENTRYPOINT ["java", "-jar", "/app/function-gateway.jar"]
