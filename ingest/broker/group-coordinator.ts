// The consumer-group coordinator: members join, the coordinator picks a protocol and a leader and
// bumps the generation, the leader's assignment is handed out on SyncGroup, and heartbeats keep
// members alive. A join, a leave or a missed session timeout starts a rebalance; members learn of
// it from REBALANCE_IN_PROGRESS on their next heartbeat and rejoin. Membership lives in memory
// (as in Kafka, members rejoin after a coordinator restart); committed offsets live in the log.
import { randomUUID } from 'node:crypto';
import { ErrorCode } from './errors.ts';

export type GroupStateName = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable';

export interface JoinRequest {
  groupId: string;
  memberId: string;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: { name: string; metadata: Buffer }[];
}

export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocolName: string;
  leader: string;
  memberId: string;
  members: { memberId: string; metadata: Buffer }[];
}

export interface SyncResult {
  errorCode: number;
  assignment: Buffer;
}

interface Member {
  id: string;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocols: { name: string; metadata: Buffer }[];
  assignment: Buffer;
  joinWaiter?: (r: JoinResult) => void;
  syncWaiter?: (r: SyncResult) => void;
  sessionTimer?: NodeJS.Timeout;
}

class Group {
  state: GroupStateName = 'Empty';
  generation = 0;
  protocolType: string | null = null;
  protocol: string | null = null;
  leader: string | null = null;
  readonly members = new Map<string, Member>();
  rebalanceTimer?: NodeJS.Timeout;

  constructor(readonly id: string) {}
}

export interface GroupCoordinatorOptions {
  minSessionTimeoutMs?: number;
  maxSessionTimeoutMs?: number;
}

const EMPTY = Buffer.alloc(0);

export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();
  private readonly minSession: number;
  private readonly maxSession: number;

  constructor(options: GroupCoordinatorOptions = {}) {
    this.minSession = options.minSessionTimeoutMs ?? 1000;
    this.maxSession = options.maxSessionTimeoutMs ?? 30 * 60_000;
  }

  private failJoin(errorCode: number, memberId = ''): JoinResult {
    return { errorCode, generationId: -1, protocolName: '', leader: '', memberId, members: [] };
  }

  join(req: JoinRequest): Promise<JoinResult> {
    if (!req.groupId) return Promise.resolve(this.failJoin(ErrorCode.INVALID_GROUP_ID));
    if (req.sessionTimeoutMs < this.minSession || req.sessionTimeoutMs > this.maxSession) {
      return Promise.resolve(this.failJoin(ErrorCode.INVALID_SESSION_TIMEOUT, req.memberId));
    }
    let group = this.groups.get(req.groupId);
    if (!group) {
      group = new Group(req.groupId);
      this.groups.set(req.groupId, group);
    }
    if (group.members.size > 0) {
      const names = new Set(req.protocols.map((p) => p.name));
      const shared = this.candidateProtocols(group).some((p) => names.has(p));
      if (req.protocolType !== group.protocolType || !shared) {
        return Promise.resolve(this.failJoin(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, req.memberId));
      }
    }
    let member: Member | undefined;
    if (req.memberId === '') {
      member = {
        id: `${req.clientId || 'member'}-${randomUUID()}`,
        clientId: req.clientId,
        clientHost: req.clientHost,
        sessionTimeoutMs: req.sessionTimeoutMs,
        rebalanceTimeoutMs: req.rebalanceTimeoutMs,
        protocols: req.protocols,
        assignment: EMPTY,
      };
      group.members.set(member.id, member);
    } else {
      member = group.members.get(req.memberId);
      if (!member) return Promise.resolve(this.failJoin(ErrorCode.UNKNOWN_MEMBER_ID, req.memberId));
      member.protocols = req.protocols;
      member.sessionTimeoutMs = req.sessionTimeoutMs;
      member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    }
    group.protocolType = req.protocolType;
    const joining = member;
    // A waiting member is governed by the rebalance timeout, not its session.
    clearTimeout(joining.sessionTimer);
    const result = new Promise<JoinResult>((resolve) => {
      joining.joinWaiter?.(this.failJoin(ErrorCode.REBALANCE_IN_PROGRESS, joining.id));
      joining.joinWaiter = resolve;
    });
    if (group.state !== 'PreparingRebalance') this.prepareRebalance(group);
    else this.maybeCompleteJoin(group);
    return result;
  }

  sync(
    groupId: string,
    generationId: number,
    memberId: string,
    assignments: { memberId: string; assignment: Buffer }[],
  ) {
    const group = this.groups.get(groupId);
    const member = group?.members.get(memberId);
    if (!group || !member)
      return Promise.resolve({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY });
    if (generationId !== group.generation) {
      return Promise.resolve({ errorCode: ErrorCode.ILLEGAL_GENERATION, assignment: EMPTY });
    }
    this.touch(group, member);
    if (group.state === 'PreparingRebalance') {
      return Promise.resolve({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
    }
    if (group.state === 'Stable')
      return Promise.resolve({ errorCode: ErrorCode.NONE, assignment: member.assignment });
    const result = new Promise<SyncResult>((resolve) => {
      member.syncWaiter = resolve;
    });
    if (memberId === group.leader) {
      const byMember = new Map(assignments.map((a) => [a.memberId, a.assignment]));
      for (const m of group.members.values()) m.assignment = byMember.get(m.id) ?? EMPTY;
      group.state = 'Stable';
      for (const m of group.members.values()) {
        m.syncWaiter?.({ errorCode: ErrorCode.NONE, assignment: m.assignment });
        m.syncWaiter = undefined;
      }
    }
    return result;
  }

  heartbeat(groupId: string, generationId: number, memberId: string): number {
    const group = this.groups.get(groupId);
    const member = group?.members.get(memberId);
    if (!group || !member) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== group.generation) return ErrorCode.ILLEGAL_GENERATION;
    if (group.state === 'PreparingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    this.touch(group, member);
    return ErrorCode.NONE;
  }

  leave(groupId: string, memberId: string): number {
    const group = this.groups.get(groupId);
    const member = group?.members.get(memberId);
    if (!group || !member) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.removeMember(group, member);
    return ErrorCode.NONE;
  }

  /** Kafka's rule for OffsetCommit: a standalone commit (generation -1) only to an empty group. */
  validateCommit(groupId: string, generationId: number, memberId: string): number {
    const group = this.groups.get(groupId);
    if (!group || (generationId < 0 && group.members.size === 0)) return ErrorCode.NONE;
    if (group.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    const member = group.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== group.generation) return ErrorCode.ILLEGAL_GENERATION;
    this.touch(group, member);
    return ErrorCode.NONE;
  }

  describe(groupId: string) {
    const group = this.groups.get(groupId);
    if (!group) {
      return {
        state: 'Dead',
        protocolType: '',
        protocol: '',
        members: [] as ReturnType<GroupCoordinator['memberInfo']>[],
      };
    }
    return {
      state: group.state,
      protocolType: group.protocolType ?? '',
      protocol: group.protocol ?? '',
      members: [...group.members.values()].map((m) => this.memberInfo(group, m)),
    };
  }

  private memberInfo(group: Group, m: Member) {
    return {
      memberId: m.id,
      clientId: m.clientId,
      clientHost: m.clientHost,
      metadata: m.protocols.find((p) => p.name === group.protocol)?.metadata ?? EMPTY,
      assignment: m.assignment,
    };
  }

  list(): { groupId: string; protocolType: string }[] {
    return [...this.groups.values()].map((g) => ({ groupId: g.id, protocolType: g.protocolType ?? '' }));
  }

  generation(groupId: string): number {
    return this.groups.get(groupId)?.generation ?? 0;
  }

  close(): void {
    for (const group of this.groups.values()) {
      clearTimeout(group.rebalanceTimer);
      for (const m of group.members.values()) {
        clearTimeout(m.sessionTimer);
        m.joinWaiter?.(this.failJoin(ErrorCode.NOT_COORDINATOR, m.id));
        m.syncWaiter?.({ errorCode: ErrorCode.NOT_COORDINATOR, assignment: EMPTY });
      }
    }
    this.groups.clear();
  }

  private candidateProtocols(group: Group): string[] {
    const members = [...group.members.values()];
    if (members.length === 0) return [];
    return members[0]!.protocols
      .map((p) => p.name)
      .filter((name) => members.every((m) => m.protocols.some((p) => p.name === name)));
  }

  private prepareRebalance(group: Group): void {
    group.state = 'PreparingRebalance';
    for (const m of group.members.values()) {
      m.syncWaiter?.({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
      m.syncWaiter = undefined;
    }
    clearTimeout(group.rebalanceTimer);
    const timeout = Math.max(0, ...[...group.members.values()].map((m) => m.rebalanceTimeoutMs));
    // Members that have not rejoined within the rebalance timeout are dropped from the generation.
    group.rebalanceTimer = setTimeout(() => {
      for (const m of [...group.members.values()]) {
        if (!m.joinWaiter) {
          clearTimeout(m.sessionTimer);
          group.members.delete(m.id);
        }
      }
      this.completeJoin(group);
    }, timeout);
    group.rebalanceTimer.unref();
    this.maybeCompleteJoin(group);
  }

  private maybeCompleteJoin(group: Group): void {
    if (group.state !== 'PreparingRebalance') return;
    for (const m of group.members.values()) if (!m.joinWaiter) return;
    this.completeJoin(group);
  }

  private completeJoin(group: Group): void {
    clearTimeout(group.rebalanceTimer);
    group.generation += 1;
    if (group.members.size === 0) {
      group.state = 'Empty';
      group.leader = null;
      group.protocol = null;
      group.protocolType = null;
      return;
    }
    // Each member votes for its most preferred protocol that every member supports.
    const candidates = this.candidateProtocols(group);
    const votes = new Map<string, number>();
    for (const m of group.members.values()) {
      const choice = m.protocols.find((p) => candidates.includes(p.name))?.name;
      if (choice) votes.set(choice, (votes.get(choice) ?? 0) + 1);
    }
    group.protocol = [...votes.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? candidates[0] ?? '';
    if (!group.leader || !group.members.has(group.leader))
      group.leader = group.members.keys().next().value ?? null;
    group.state = 'CompletingRebalance';
    const all = [...group.members.values()].map((m) => ({
      memberId: m.id,
      metadata: m.protocols.find((p) => p.name === group.protocol)?.metadata ?? EMPTY,
    }));
    for (const m of group.members.values()) {
      const waiter = m.joinWaiter;
      m.joinWaiter = undefined;
      this.touch(group, m);
      waiter?.({
        errorCode: ErrorCode.NONE,
        generationId: group.generation,
        protocolName: group.protocol,
        leader: group.leader ?? '',
        memberId: m.id,
        members: m.id === group.leader ? all : [],
      });
    }
  }

  private removeMember(group: Group, member: Member): void {
    clearTimeout(member.sessionTimer);
    member.joinWaiter?.(this.failJoin(ErrorCode.UNKNOWN_MEMBER_ID, member.id));
    member.syncWaiter?.({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY });
    group.members.delete(member.id);
    if (group.state === 'PreparingRebalance') this.maybeCompleteJoin(group);
    else if (group.members.size === 0) this.completeJoin(group);
    else this.prepareRebalance(group);
  }

  /** Restarts the member's session clock; expiry removes it and rebalances the rest. */
  private touch(group: Group, member: Member): void {
    clearTimeout(member.sessionTimer);
    member.sessionTimer = setTimeout(() => {
      if (group.members.get(member.id) === member) this.removeMember(group, member);
    }, member.sessionTimeoutMs);
    member.sessionTimer.unref();
  }
}
