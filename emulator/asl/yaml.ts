import yaml from 'js-yaml';

/**
 * Reads a state machine definition's text (JSON, or YAML, which JSON is a subset of) into plain data.
 *
 * Only the JSON types exist in the result: YAML's JSON schema resolves null, booleans, numbers and
 * strings, and nothing else. Under js-yaml's default schema `Timestamp: 2026-01-01T00:00:00Z` would
 * become a Date and come back as `2026-01-01T00:00:00.000Z`, and `<<` would merge mappings: text
 * Step Functions (which reads JSON, https://docs.aws.amazon.com/step-functions/latest/dg/concepts-amazon-states-language.html)
 * would see differently. Every reader of workflow text in this repository goes through here.
 *
 * Throws js-yaml's error (message: what and where) on text that is not YAML.
 */
export function readDefinitionText(text: string, source?: string): unknown {
  return yaml.load(text, { schema: yaml.JSON_SCHEMA, filename: source });
}
