import { CfnElement, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Logical id of a construct's CloudFormation resource. cdk-nag 3 names
 * granular findings after it (`AwsSolutions-IAM5[Resource::<Id.Arn>/index/*]`),
 * and an acknowledgement must quote the finding exactly.
 */
export function logicalIdOf(construct: IConstruct): string {
  const resource = construct.node.defaultChild;
  if (!resource || !CfnElement.isCfnElement(resource)) {
    throw new Error(`${construct.node.path} has no CloudFormation resource`);
  }
  return Stack.of(resource).resolve(resource.logicalId) as string;
}

/** A construct id from a kebab-case name (`flash-sale-stock` -> `FlashSaleStock`): stable across synths. */
export function pascal(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join('');
}
