{{/* Name of every object: the release name, or fullnameOverride. */}}
{{- define "marketing.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 45 | trimSuffix "-" -}}
{{- end -}}

{{- define "marketing.labels" -}}
app.kubernetes.io/name: marketing-engine
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/*
The options of `marketing-job run` that go into the ConfigMap's marketing.properties: the ones the
chart derives from its values, then job.options (which win).
*/}}
{{- define "marketing.options" -}}
{{- $o := dict -}}
{{- $_ := set $o "bootstrap-servers" .Values.kafka.bootstrapServers -}}
{{- range $name, $topic := .Values.kafka.topics -}}
{{- $_ := set $o (printf "%s-topic" (kebabcase $name)) $topic -}}
{{- end -}}
{{- $_ := set $o "checkpoint-dir" .Values.checkpoints.dir -}}
{{- $_ := set $o "savepoint-dir" .Values.checkpoints.savepointDir -}}
{{- $_ := set $o "checkpoint-interval" .Values.checkpoints.interval -}}
{{- $_ := set $o "parallelism" (toString .Values.job.parallelism) -}}
{{- if .Values.sidecar.enabled -}}
{{- $_ := set $o .Values.sidecar.urlOption (printf "http://127.0.0.1:%v" .Values.sidecar.port) -}}
{{- end -}}
{{- if .Values.elasticsearch.url -}}
{{- $_ := set $o .Values.elasticsearch.urlOption .Values.elasticsearch.url -}}
{{- end -}}
{{- if .Values.elasticsearch.caSecret -}}
{{- $_ := set $o "es-ca-cert" (printf "/opt/marketing/es/%s" .Values.elasticsearch.caKey) -}}
{{- end -}}
{{- range $k, $v := .Values.job.options -}}
{{- $_ := set $o $k (toString $v) -}}
{{- end -}}
{{- range $k := keys $o | sortAlpha }}
{{ $k }}={{ get $o $k }}
{{- end -}}
{{- end -}}

{{/*
Environment of the Flink containers: secrets as the variables the job's options read by default
(MKT_ES_USERNAME, MKT_ES_PASSWORD, MKT_ES_API_KEY, MKT_PSEUDONYM_KEY), then extraEnv. Keys missing
from a Secret leave their variable unset.
*/}}
{{- define "marketing.env" -}}
{{- with .Values.elasticsearch.existingSecret }}
- name: MKT_ES_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $.Values.elasticsearch.usernameKey }}
      optional: true
- name: MKT_ES_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $.Values.elasticsearch.passwordKey }}
      optional: true
- name: MKT_ES_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $.Values.elasticsearch.apiKeyKey }}
      optional: true
{{- end }}
{{- with .Values.pseudonymisation.existingSecret }}
- name: MKT_PSEUDONYM_KEY
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $.Values.pseudonymisation.key }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}
