{{- define "fg.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "fg.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains (include "fg.name" .) .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "fg.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "fg.selectorLabels" -}}
app.kubernetes.io/name: {{ include "fg.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "fg.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "fg.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: function-gateway
{{- end }}

{{- define "fg.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "fg.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret holding the bootstrap admin key and database password: the operator's or the chart's. */}}
{{- define "fg.secretName" -}}
{{- default (include "fg.fullname" .) .Values.auth.existingSecret }}
{{- end }}

{{/* Replicas share only the database: more than one needs PostgreSQL. */}}
{{- define "fg.validate" -}}
{{- if and (not .Values.postgresql.url) (or (gt (int .Values.replicaCount) 1) .Values.autoscaling.enabled) }}
{{- fail "postgresql.url is required when replicaCount > 1 or autoscaling is enabled: replicas share state only through PostgreSQL" }}
{{- end }}
{{- if and (not .Values.auth.bootstrapAdminKey) (not .Values.auth.existingSecret) (or (gt (int .Values.replicaCount) 1) .Values.autoscaling.enabled) }}
{{- fail "auth.bootstrapAdminKey or auth.existingSecret is required with more than one replica: a generated first key would be in one pod's file only" }}
{{- end }}
{{- if and .Values.grpcTls.enabled (not .Values.grpcTls.secretName) }}
{{- fail "grpcTls.secretName is required when grpcTls.enabled is true" }}
{{- end }}
{{- $ports := list (int .Values.service.http.port) (int .Values.service.grpc.port) (int .Values.management.port) }}
{{- if ne (len ($ports | uniq)) 3 }}
{{- fail "service.http.port, service.grpc.port and management.port must be three different ports" }}
{{- end }}
{{- include "fg.validatePdb" . }}
{{- end }}

{{/* A PDB that keeps every pod blocks every node drain and cluster upgrade for good: refuse it. */}}
{{- define "fg.validatePdb" -}}
{{- if .Values.podDisruptionBudget.enabled }}
{{- $min := .Values.podDisruptionBudget.minAvailable }}
{{- $replicas := int (ternary .Values.autoscaling.minReplicas .Values.replicaCount .Values.autoscaling.enabled) }}
{{- if kindIs "string" $min }}
{{- if ge (int (trimSuffix "%" $min)) 100 }}
{{- fail (printf "podDisruptionBudget.minAvailable %s keeps every pod, so no node could be drained: use less than 100%%" $min) }}
{{- end }}
{{- else if ge (int $min) $replicas }}
{{- fail (printf "podDisruptionBudget.minAvailable %d must be below the %d replicas, or no node could be drained: lower it or add replicas" (int $min) $replicas) }}
{{- end }}
{{- end }}
{{- end }}

{{/* The container's environment: secrets as variables, then the operator's extras. */}}
{{- define "fg.env" -}}
{{- if or .Values.auth.bootstrapAdminKey .Values.auth.existingSecret }}
- name: GATEWAY_AUTH_BOOTSTRAP_ADMIN_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "fg.secretName" . }}
      key: {{ .Values.auth.adminKeySecretKey }}
{{- end }}
{{- if and .Values.postgresql.url (or .Values.postgresql.password .Values.auth.existingSecret) }}
- name: SPRING_DATASOURCE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "fg.secretName" . }}
      key: {{ .Values.postgresql.passwordSecretKey }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Labels of one of the two Services, so that selectors (ServiceMonitor) can tell them apart. */}}
{{- define "fg.componentLabels" -}}
{{ include "fg.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}
