package dev.functiongateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.functiongateway.auth.ApiKey;
import dev.functiongateway.auth.ApiKeyService;
import dev.functiongateway.routing.RoutingException;
import dev.functiongateway.routing.Session;
import dev.functiongateway.routing.SessionRouter;
import dev.functiongateway.support.AdminClient;
import dev.functiongateway.support.Deployments;
import dev.functiongateway.support.RunningGateway;
import dev.functiongateway.support.TestPostgres;
import io.grpc.Status;

/**
 * Two gateway replicas on one PostgreSQL and nothing else shared: a session id minted by one resumes on the other
 * (same worker, same id), and a 202'd call is polled on the other.
 */
class ReplicasShareSessionsTest {

    private static final String ADMIN_KEY = "replica-sessions-admin-key-0123456789";

    static RunningGateway first;
    static RunningGateway second;
    static FunctionWorker w1;
    static FunctionWorker w2;
    static String functionId;
    static String key;

    @BeforeAll
    static void start() {
        Map<String, String> properties = new HashMap<>(RunningGateway.postgres(TestPostgres.newDatabase()));
        properties.put("gateway.auth.bootstrap-admin-key", ADMIN_KEY);
        properties.put("gateway.routing.health-interval", "200ms");
        properties.put("gateway.proxy.drain-time", "2s");
        first = RunningGateway.start(properties);
        second = RunningGateway.start(properties);
        w1 = new FunctionWorker("w1");
        w2 = new FunctionWorker("w2");
        AdminClient admin = first.admin(ADMIN_KEY);
        functionId = Deployments.deploy(admin, Deployments.httpFunction("replicated"), 0, w1.address(),
                w2.address()).functionId();
        key = admin.post("/v1/keys", "{\"name\":\"replicated\",\"scopes\":[\"invoke_function\"]}").at("/value");
        for (RunningGateway gateway : new RunningGateway[] { first, second }) {
            await().atMost(Duration.ofSeconds(15)).until(() -> HttpPollingTest.send(
                    HttpPollingTest.pexec(gateway.httpPort(), functionId, key, "ready")).statusCode() == 200);
        }
    }

    @AfterAll
    static void stop() {
        first.close();
        second.close();
        w1.close();
        w2.close();
    }

    @Test
    void anIdMintedByOneReplicaResumesOnTheOther() throws Exception {
        UUID function = UUID.fromString(functionId);
        ApiKey apiKey = first.bean(ApiKeyService.class).authenticate(key).key();
        Session opened = first.bean(SessionRouter.class).open(function, null, apiKey).get(10, TimeUnit.SECONDS);
        String requestId = opened.requestId();
        String address = opened.worker().instance().address().toString();
        opened.release();

        SessionRouter other = second.bean(SessionRouter.class);
        Session resumed = other.resume(requestId, apiKey, function, "grpc").get(10, TimeUnit.SECONDS);
        assertThat(resumed.requestId()).isEqualTo(requestId);
        assertThat(resumed.worker().instance().address().toString()).isEqualTo(address);
        resumed.release();

        // The same over real HTTP: a request with the id on the other replica reaches the same worker.
        for (RunningGateway gateway : new RunningGateway[] { first, second }) {
            HttpResponse<String> response = HttpPollingTest.send(HttpPollingTest.pexec(gateway.httpPort(), functionId,
                    key, "again").header("NVCF-REQID", requestId));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(response.headers().firstValue("nvcf-reqid")).hasValue(requestId);
            assertThat(response.headers().firstValue("x-worker")).hasValue(address.equals(w1.address()) ? "w1" : "w2");
        }

        String otherKey = first.admin(ADMIN_KEY).post("/v1/keys",
                "{\"name\":\"other\",\"scopes\":[\"invoke_function\"]}").at("/value");
        await().atMost(Duration.ofSeconds(10)).until(() -> second.bean(ApiKeyService.class).authenticate(otherKey)
                .succeeded());
        ApiKey foreign = second.bean(ApiKeyService.class).authenticate(otherKey).key();
        assertThatThrownBy(() -> other.resume(requestId, foreign, function, "grpc").get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(RoutingException.class)
                .satisfies(e -> assertThat(((RoutingException) e).status().getCode()).isEqualTo(Status.Code.NOT_FOUND))
                .hasMessageContaining("without nvcf-reqid");
    }

    @Test
    void aCallAnswered202OnOneReplicaIsPolledOnTheOther() throws Exception {
        HttpResponse<String> accepted = HttpPollingTest.send(HttpPollingTest.pexec(first.httpPort(), functionId, key,
                "long").header("x-hold", "1").header("NVCF-POLL-SECONDS", "1"));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String requestId = accepted.headers().firstValue("nvcf-reqid").orElseThrow();
        assertThat(HttpPollingTest.send(HttpPollingTest.status(second.httpPort(), requestId, key)).statusCode())
                .isEqualTo(202);
        w1.open();
        w2.open();
        HttpPollingTest.awaitResult(second.httpPort(), requestId, key, "long");
    }
}
