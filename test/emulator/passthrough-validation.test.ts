/**
 * Unknown Parameters of a service integration are an InvalidDefinition at CreateStateMachine time,
 * as on AWS; what exists is read from the installed SDK clients' own operation schemas.
 * https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
 */
import { Engine } from '../../emulator/runtime/engine';

const machine = (resource: string, parameters: object, field = 'Parameters') => ({
  StartAt: 'T',
  States: { T: { Type: 'Task', Resource: `arn:aws:states:::${resource}`, [field]: parameters, End: true } },
});

function createError(definition: object): Error & { code?: string } {
  try {
    new Engine().createStateMachine({ name: 'm', definition });
  } catch (e) {
    return e as Error;
  }
  throw new Error('createStateMachine accepted the definition');
}

describe('service integration Parameters are checked against the SDK input shapes at creation', () => {
  test('an unknown top-level field of an aws-sdk action is SCHEMA_VALIDATION_FAILED naming the field and its path', () => {
    const e = createError(machine('aws-sdk:dynamodb:putItem', { TableName: 't', Item: {}, Itme: {} }));
    expect(e.name).toBe('AslDefinitionError');
    expect(e.message).toBe('SCHEMA_VALIDATION_FAILED: The field "Itme" is not supported by Step Functions at /States/T/Parameters');
  });

  test('nested structure members are checked; map keys (attribute names) are data', () => {
    const ok = () =>
      new Engine().createStateMachine({
        name: 'ok',
        definition: machine('aws-sdk:dynamodb:query', {
          TableName: 't',
          KeyConditionExpression: 'pk = :p',
          ExpressionAttributeValues: { ':p': { S: 'x' } },
          'ExclusiveStartKey.$': '$.key',
        }),
      });
    expect(ok).not.toThrow();
    const e = createError(
      machine('aws-sdk:cloudformation:createStack', { StackName: 's', Parameters: [{ ParameterKey: 'a', Value: 'b' }] }),
    );
    expect(e.message).toContain('The field "Value" is not supported by Step Functions at /States/T/Parameters/Parameters[0]');
  });

  test('Step Functions’ PascalCase names are accepted where the SDK model is camelCase (sfn), and dynamic `.$` keys are checked too', () => {
    expect(() =>
      new Engine().createStateMachine({
        name: 'sfn',
        definition: machine('aws-sdk:sfn:startExecution', { StateMachineArn: 'a', Input: '{}' }),
      }),
    ).not.toThrow();
    const e = createError(machine('states:startExecution.sync:2', { 'StateMachineArn.$': '$.arn', 'Inptu.$': '$.x' }));
    expect(e.message).toContain('The field "Inptu.$" is not supported by Step Functions');
  });

  test('JSONata Arguments are checked the same way', () => {
    const e = createError({
      QueryLanguage: 'JSONata',
      ...machine('dynamodb:getItem', { TableName: 't', Key: {}, Bogus: '{% 1 %}' }, 'Arguments'),
    });
    expect(e.message).toContain('The field "Bogus" is not supported by Step Functions at /States/T/Arguments');
  });

  test('an aws-sdk action the service does not have is not recognized', () => {
    const e = createError(machine('aws-sdk:dynamodb:putItems', { TableName: 't' }));
    expect(e.message).toContain('The resource provided arn:aws:states:::aws-sdk:dynamodb:putItems is not recognized');
  });

  test('fields inside JSON payload members (SNS Message, Lambda Payload) are the user’s own', () => {
    const engine = new Engine();
    expect(() =>
      engine.createStateMachine({ name: 'sns', definition: machine('sns:publish', { TopicArn: 'arn', Message: { anything: 1 } }) }),
    ).not.toThrow();
    expect(() =>
      engine.createStateMachine({ name: 'lambda', definition: machine('lambda:invoke', { FunctionName: 'f', Payload: { 'x.$': '$' } }) }),
    ).not.toThrow();
  });
});
