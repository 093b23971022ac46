package dev.functiongateway.admin;

import java.util.Map;
import java.util.Optional;

import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;

/**
 * The OpenAPI description served at {@code /v3/api-docs}: the application's version, bearer-key security, each
 * operation's {@link RequiredScope} (in its description and as {@code x-required-scope}), and the problem-detail
 * answers every operation can give.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfig {

    private static final String PROBLEM = "Problem";
    private static final Map<String, String> PROBLEMS = Map.of(
            "400", "The request is malformed; the detail says which part.",
            "401", "No API key, or one that is malformed, unknown, expired or revoked.",
            "403", "The key lacks the operation's scope, or is not allowed this function or version.",
            "404", "The function, version, instance or key does not exist (or is out of this key's reach).");

    static {
        // The caller comes from the Authorization header, not from a query parameter.
        SpringDocUtils.getConfig().addRequestWrapperToIgnore(Caller.class);
    }

    @Bean
    OpenAPI gatewayOpenApi(ObjectProvider<BuildProperties> build) {
        String version = Optional.ofNullable(build.getIfAvailable()).map(BuildProperties::getVersion).orElse("dev");
        return new OpenAPI()
                .info(new Info().title("Function Gateway admin API").version(version)
                        .description("Functions, versions, deployments and API keys, at NVIDIA Cloud Functions' "
                                + "paths. Every call needs 'Authorization: Bearer <key>' with the scope the operation "
                                + "names. Errors are RFC 9457 problem details."))
                .components(new Components()
                        .addSecuritySchemes("apiKey",
                                new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer"))
                        .addSchemas(PROBLEM, new ObjectSchema().description("An RFC 9457 problem detail.")
                                .addProperty("type", new StringSchema().format("uri"))
                                .addProperty("title", new StringSchema())
                                .addProperty("status", new IntegerSchema())
                                .addProperty("detail", new StringSchema().description("What was wrong, in the "
                                        + "request's terms."))
                                .addProperty("instance", new StringSchema().format("uri"))))
                .addSecurityItem(new SecurityRequirement().addList("apiKey"));
    }

    /** Names each operation's scope, and lists the problem answers it can give. */
    @Bean
    OperationCustomizer scopesAndProblems() {
        return (operation, handler) -> {
            RequiredScope scope = handler.getMethodAnnotation(RequiredScope.class);
            if (scope != null) {
                String note = "Requires scope `" + scope.value().wireName() + "`.";
                operation.description(operation.getDescription() == null ? note
                        : operation.getDescription() + "\n\n" + note);
                operation.addExtension("x-required-scope", scope.value().wireName());
            }
            addProblem(operation, "401");
            addProblem(operation, "403");
            if (operation.getRequestBody() != null || operation.getParameters() != null) {
                addProblem(operation, "400");
            }
            if (operation.getParameters() != null && !operation.getParameters().isEmpty()) {
                addProblem(operation, "404");
            }
            return operation;
        };
    }

    /** Problem answers declared on a method ({@code 409}) get the problem schema too. */
    @Bean
    OpenApiCustomizer problemAnswers() {
        return openApi -> openApi.getPaths().values().forEach(path -> path.readOperations().forEach(operation ->
                operation.getResponses().forEach((code, response) -> {
                    if (code.startsWith("4") && response.getContent() == null) {
                        response.content(problemBody());
                    }
                })));
    }

    private static void addProblem(Operation operation, String code) {
        if (!operation.getResponses().containsKey(code)) {
            operation.getResponses().addApiResponse(code,
                    new ApiResponse().description(PROBLEMS.get(code)).content(problemBody()));
        }
    }

    private static Content problemBody() {
        return new Content().addMediaType(MediaType.APPLICATION_PROBLEM_JSON_VALUE,
                new io.swagger.v3.oas.models.media.MediaType()
                        .schema(new Schema<>().$ref("#/components/schemas/" + PROBLEM)));
    }
}
