/** A test's own local DynamoDB (dynalite, in process) and a client of it, closed when the body ends. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startDynamo } from '../../local/dynamodb';

export async function withLocalDynamo(body: (client: DynamoDBClient) => Promise<void>): Promise<void> {
  const dynamo = await startDynamo({});
  const client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    await body(client);
  } finally {
    client.destroy();
    await dynamo.close();
  }
}
