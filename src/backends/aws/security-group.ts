// The security group the backend owns in each region: SSH (tcp/22) from a configured CIDR, nothing else inbound.

import {
  AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, DescribeSecurityGroupsCommand, type EC2Client, type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { ec2ErrorCode } from './errors';
import { TAG_INSTALLATION } from './tags';

/** The group's name for an installation. */
export function securityGroupName(installation: string): string {
  return `dstack-vsc-${installation}`;
}

async function describeByName(client: EC2Client, name: string): Promise<SecurityGroup | undefined> {
  const out = await client.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: [name] }] }));
  return out.SecurityGroups?.[0];
}

/** The id of our group (created when missing) with the SSH rule from `sshCidr` in place. Safe to call concurrently. */
export async function ensureSecurityGroup(client: EC2Client, installation: string, sshCidr: string): Promise<string> {
  const name = securityGroupName(installation);
  let group = await describeByName(client, name);
  if (!group) {
    try {
      await client.send(new CreateSecurityGroupCommand({
        GroupName: name,
        Description: 'dstack-vsc dev environments: SSH only',
        TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: TAG_INSTALLATION, Value: installation }] }],
      }));
    } catch (e) {
      if (ec2ErrorCode(e) !== 'InvalidGroup.Duplicate') throw e;
    }
    group = await describeByName(client, name);
  }
  const groupId = group?.GroupId;
  if (!groupId) throw new Error(`security group ${name} was created but cannot be described`);
  const hasRule = (group?.IpPermissions ?? []).some((p) => p.IpProtocol === 'tcp' && p.FromPort === 22 && p.ToPort === 22 && (p.IpRanges ?? []).some((r) => r.CidrIp === sshCidr));
  if (!hasRule) {
    try {
      await client.send(new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: sshCidr, Description: 'dstack-vsc SSH' }] }],
      }));
    } catch (e) {
      if (ec2ErrorCode(e) !== 'InvalidPermission.Duplicate') throw e;
    }
  }
  return groupId;
}
