package dev.functiongateway.admin;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import dev.functiongateway.auth.Scope;

/**
 * The scope a key needs for this admin operation. {@link AdminAuthorizationFilter} refuses any operation that
 * does not declare one, and {@link OpenApiConfig} names it in the API description.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface RequiredScope {

    Scope value();
}
