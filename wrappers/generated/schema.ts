import { Builder } from '@ton/core'
import { Slice } from '@ton/core'
import { beginCell } from '@ton/core'
import { BitString } from '@ton/core'
import { Cell } from '@ton/core'
import { Address } from '@ton/core'
import { ExternalAddress } from '@ton/core'
import { Dictionary } from '@ton/core'
import { DictionaryValue } from '@ton/core'
export function bitLen(n: number) {
    return n.toString(2).length;
}

// nothing$0 {X:Type} = Maybe X;

// just$1 {X:Type} value:X = Maybe X;

export type Maybe<X> = Maybe_nothing<X> | Maybe_just<X>;

export interface Maybe_nothing<X> {
    readonly kind: 'Maybe_nothing';
}

export interface Maybe_just<X> {
    readonly kind: 'Maybe_just';
    readonly value: X;
}

// true$_ = True;

export interface True {
    readonly kind: 'True';
}

// _ grams:Grams = Coins;

export interface Coins {
    readonly kind: 'Coins';
    readonly grams: bigint;
}

/*
attestation_statement#c0c0a77e issued_at:uint32 expires_at:uint32
    policy_hash:bits256 operator_key:bits256 encryption_key:bits256
    subject:^StatementSubject = AttestationStatement;
*/

export interface AttestationStatement {
    readonly kind: 'AttestationStatement';
    readonly issued_at: number;
    readonly expires_at: number;
    readonly policy_hash: BitString;
    readonly operator_key: BitString;
    readonly encryption_key: BitString;
    readonly subject: StatementSubject;
}

// statement_subject$_ root:MsgAddressInt owner:MsgAddressInt = StatementSubject;

export interface StatementSubject {
    readonly kind: 'StatementSubject';
    readonly root: Address;
    readonly owner: Address;
}

/*
signed_statement$_ verifier_key:bits256 signature:bits512
    statement:^AttestationStatement = SignedStatement;
*/

export interface SignedStatement {
    readonly kind: 'SignedStatement';
    readonly verifier_key: BitString;
    readonly signature: BitString;
    readonly statement: AttestationStatement;
}

/*
params$_ min_stake:Coins unbonding_period:uint32 attestation_max_age:uint32
    timelock_delay:uint32 max_models:uint8 treasury:MsgAddressInt = Params;
*/

export interface Params {
    readonly kind: 'Params';
    readonly min_stake: Coins;
    readonly unbonding_period: number;
    readonly attestation_max_age: number;
    readonly timelock_delay: number;
    readonly max_models: number;
    readonly treasury: Address;
}

// provider_params$_ min_stake:Coins unbonding_period:uint32 root_version:uint32 = ProviderParams;

export interface ProviderParams {
    readonly kind: 'ProviderParams';
    readonly min_stake: Coins;
    readonly unbonding_period: number;
    readonly root_version: number;
}

/*
root_storage$_ version:uint32 paused:Bool governance:MsgAddressInt guardian:MsgAddressInt
    params:^Params trust:^RootTrust admin:^RootAdmin provider_code:^Cell = RootStorage;
*/

export interface RootStorage {
    readonly kind: 'RootStorage';
    readonly version: number;
    readonly paused: boolean;
    readonly governance: Address;
    readonly guardian: Address;
    readonly params: Params;
    readonly trust: RootTrust;
    readonly admin: RootAdmin;
    readonly provider_code: Cell;
}

/*
root_trust$_ policies:(HashmapE 256 ^Cell) models:(HashmapE 256 ^Cell)
    verifier_keys:(HashmapE 256 True) = RootTrust;
*/

export interface RootTrust {
    readonly kind: 'RootTrust';
    readonly policies: Dictionary<bigint, Cell>;
    readonly models: Dictionary<bigint, Cell>;
    readonly verifier_keys: Dictionary<bigint, True>;
}

// timelocked_change$_ eta:uint32 action:^TimelockAction = TimelockedChange;

export interface TimelockedChange {
    readonly kind: 'TimelockedChange';
    readonly eta: number;
    readonly action: TimelockAction;
}

/*
root_admin$_ pending_governance:(Maybe MsgAddressInt) next_change_id:uint32
    pending_count:uint8 changes:(HashmapE 32 TimelockedChange) = RootAdmin;
*/

export interface RootAdmin {
    readonly kind: 'RootAdmin';
    readonly pending_governance: Maybe<Address>;
    readonly next_change_id: number;
    readonly pending_count: number;
    readonly changes: Dictionary<number, TimelockedChange>;
}

// add_policy#01 policy_hash:bits256 meta:^Cell = TimelockAction;

// add_model#02 model_hash:bits256 meta:^Cell = TimelockAction;

// add_verifier_key#03 key:bits256 = TimelockAction;

// set_params#04 params:^Params = TimelockAction;

// upgrade_root_code#05 code:^Cell = TimelockAction;

// set_guardian#06 guardian:MsgAddressInt = TimelockAction;

export type TimelockAction = TimelockAction_add_policy | TimelockAction_add_model | TimelockAction_add_verifier_key | TimelockAction_set_params | TimelockAction_upgrade_root_code | TimelockAction_set_guardian;

export interface TimelockAction_add_policy {
    readonly kind: 'TimelockAction_add_policy';
    readonly policy_hash: BitString;
    readonly meta: Cell;
}

export interface TimelockAction_add_model {
    readonly kind: 'TimelockAction_add_model';
    readonly model_hash: BitString;
    readonly meta: Cell;
}

export interface TimelockAction_add_verifier_key {
    readonly kind: 'TimelockAction_add_verifier_key';
    readonly key: BitString;
}

export interface TimelockAction_set_params {
    readonly kind: 'TimelockAction_set_params';
    readonly params: Params;
}

export interface TimelockAction_upgrade_root_code {
    readonly kind: 'TimelockAction_upgrade_root_code';
    readonly code: Cell;
}

export interface TimelockAction_set_guardian {
    readonly kind: 'TimelockAction_set_guardian';
    readonly guardian: Address;
}

// revoked_policy$00 policy_hash:bits256 = RevocationSubject;

// revoked_model$01 model_hash:bits256 = RevocationSubject;

// revoked_verifier_key$10 key:bits256 = RevocationSubject;

export type RevocationSubject = RevocationSubject_revoked_policy | RevocationSubject_revoked_model | RevocationSubject_revoked_verifier_key;

export interface RevocationSubject_revoked_policy {
    readonly kind: 'RevocationSubject_revoked_policy';
    readonly policy_hash: BitString;
}

export interface RevocationSubject_revoked_model {
    readonly kind: 'RevocationSubject_revoked_model';
    readonly model_hash: BitString;
}

export interface RevocationSubject_revoked_verifier_key {
    readonly kind: 'RevocationSubject_revoked_verifier_key';
    readonly key: BitString;
}

/*
register_provider#c0c01001 query_id:uint64 stake:Coins statement:^SignedStatement
    offer:^ProviderOffer models:(HashmapE 256 True) = InMsgBody;
*/

// reattest_provider#c0c01002 query_id:uint64 statement:^SignedStatement = InMsgBody;

// update_provider_models#c0c01003 query_id:uint64 models:(HashmapE 256 True) = InMsgBody;

// check_provider#c0c01004 query_id:uint64 owner:MsgAddressInt subject:RevocationSubject = InMsgBody;

// queue_change#c0c01010 query_id:uint64 action:^TimelockAction = InMsgBody;

// execute_change#c0c01011 query_id:uint64 change_id:uint32 = InMsgBody;

// cancel_change#c0c01012 query_id:uint64 change_id:uint32 = InMsgBody;

// revoke_policy#c0c01020 query_id:uint64 policy_hash:bits256 = InMsgBody;

// revoke_model#c0c01021 query_id:uint64 model_hash:bits256 = InMsgBody;

// revoke_verifier_key#c0c01022 query_id:uint64 key:bits256 = InMsgBody;

// pause#c0c01023 query_id:uint64 = InMsgBody;

// unpause#c0c01024 query_id:uint64 = InMsgBody;

// propose_governance#c0c01030 query_id:uint64 new_governance:MsgAddressInt = InMsgBody;

// claim_governance#c0c01031 query_id:uint64 = InMsgBody;

// collect_root_excess#c0c01040 query_id:uint64 = InMsgBody;

/*
provider_init#c0c02001 query_id:uint64 stake:Coins attestation:^ProviderAttestation
    offer:^ProviderOffer models:(HashmapE 256 True) params:^ProviderParams = InMsgBody;
*/

/*
provider_reattest#c0c02002 query_id:uint64 attestation:^ProviderAttestation
    params:^ProviderParams = InMsgBody;
*/

/*
provider_set_models#c0c02003 query_id:uint64 models:(HashmapE 256 True)
    params:^ProviderParams = InMsgBody;
*/

/*
provider_revoke#c0c02004 query_id:uint64 subject:RevocationSubject
    keeper:MsgAddressInt = InMsgBody;
*/

// top_up#c0c02010 query_id:uint64 amount:Coins = InMsgBody;

// update_offer#c0c02011 query_id:uint64 offer:^ProviderOffer = InMsgBody;

// request_unbond#c0c02012 query_id:uint64 = InMsgBody;

// withdraw_stake#c0c02013 query_id:uint64 = InMsgBody;

// excesses#d53276db query_id:uint64 = InMsgBody;

// stake_withdrawn#c0c02020 query_id:uint64 amount:Coins = InMsgBody;

// request_refused#c0c02021 query_id:uint64 error:uint16 = InMsgBody;

// provider_registered#c0c02022 query_id:uint64 stake:Coins = InMsgBody;

export type InMsgBody = InMsgBody_register_provider | InMsgBody_reattest_provider | InMsgBody_update_provider_models | InMsgBody_check_provider | InMsgBody_queue_change | InMsgBody_execute_change | InMsgBody_cancel_change | InMsgBody_revoke_policy | InMsgBody_revoke_model | InMsgBody_revoke_verifier_key | InMsgBody_pause | InMsgBody_unpause | InMsgBody_propose_governance | InMsgBody_claim_governance | InMsgBody_collect_root_excess | InMsgBody_provider_init | InMsgBody_provider_reattest | InMsgBody_provider_set_models | InMsgBody_provider_revoke | InMsgBody_top_up | InMsgBody_update_offer | InMsgBody_request_unbond | InMsgBody_withdraw_stake | InMsgBody_excesses | InMsgBody_stake_withdrawn | InMsgBody_request_refused | InMsgBody_provider_registered;

export interface InMsgBody_register_provider {
    readonly kind: 'InMsgBody_register_provider';
    readonly query_id: number;
    readonly stake: Coins;
    readonly statement: SignedStatement;
    readonly offer: ProviderOffer;
    readonly models: Dictionary<bigint, True>;
}

export interface InMsgBody_reattest_provider {
    readonly kind: 'InMsgBody_reattest_provider';
    readonly query_id: number;
    readonly statement: SignedStatement;
}

export interface InMsgBody_update_provider_models {
    readonly kind: 'InMsgBody_update_provider_models';
    readonly query_id: number;
    readonly models: Dictionary<bigint, True>;
}

export interface InMsgBody_check_provider {
    readonly kind: 'InMsgBody_check_provider';
    readonly query_id: number;
    readonly owner: Address;
    readonly subject: RevocationSubject;
}

export interface InMsgBody_queue_change {
    readonly kind: 'InMsgBody_queue_change';
    readonly query_id: number;
    readonly action: TimelockAction;
}

export interface InMsgBody_execute_change {
    readonly kind: 'InMsgBody_execute_change';
    readonly query_id: number;
    readonly change_id: number;
}

export interface InMsgBody_cancel_change {
    readonly kind: 'InMsgBody_cancel_change';
    readonly query_id: number;
    readonly change_id: number;
}

export interface InMsgBody_revoke_policy {
    readonly kind: 'InMsgBody_revoke_policy';
    readonly query_id: number;
    readonly policy_hash: BitString;
}

export interface InMsgBody_revoke_model {
    readonly kind: 'InMsgBody_revoke_model';
    readonly query_id: number;
    readonly model_hash: BitString;
}

export interface InMsgBody_revoke_verifier_key {
    readonly kind: 'InMsgBody_revoke_verifier_key';
    readonly query_id: number;
    readonly key: BitString;
}

export interface InMsgBody_pause {
    readonly kind: 'InMsgBody_pause';
    readonly query_id: number;
}

export interface InMsgBody_unpause {
    readonly kind: 'InMsgBody_unpause';
    readonly query_id: number;
}

export interface InMsgBody_propose_governance {
    readonly kind: 'InMsgBody_propose_governance';
    readonly query_id: number;
    readonly new_governance: Address;
}

export interface InMsgBody_claim_governance {
    readonly kind: 'InMsgBody_claim_governance';
    readonly query_id: number;
}

export interface InMsgBody_collect_root_excess {
    readonly kind: 'InMsgBody_collect_root_excess';
    readonly query_id: number;
}

export interface InMsgBody_provider_init {
    readonly kind: 'InMsgBody_provider_init';
    readonly query_id: number;
    readonly stake: Coins;
    readonly attestation: ProviderAttestation;
    readonly offer: ProviderOffer;
    readonly models: Dictionary<bigint, True>;
    readonly params: ProviderParams;
}

export interface InMsgBody_provider_reattest {
    readonly kind: 'InMsgBody_provider_reattest';
    readonly query_id: number;
    readonly attestation: ProviderAttestation;
    readonly params: ProviderParams;
}

export interface InMsgBody_provider_set_models {
    readonly kind: 'InMsgBody_provider_set_models';
    readonly query_id: number;
    readonly models: Dictionary<bigint, True>;
    readonly params: ProviderParams;
}

export interface InMsgBody_provider_revoke {
    readonly kind: 'InMsgBody_provider_revoke';
    readonly query_id: number;
    readonly subject: RevocationSubject;
    readonly keeper: Address;
}

export interface InMsgBody_top_up {
    readonly kind: 'InMsgBody_top_up';
    readonly query_id: number;
    readonly amount: Coins;
}

export interface InMsgBody_update_offer {
    readonly kind: 'InMsgBody_update_offer';
    readonly query_id: number;
    readonly offer: ProviderOffer;
}

export interface InMsgBody_request_unbond {
    readonly kind: 'InMsgBody_request_unbond';
    readonly query_id: number;
}

export interface InMsgBody_withdraw_stake {
    readonly kind: 'InMsgBody_withdraw_stake';
    readonly query_id: number;
}

export interface InMsgBody_excesses {
    readonly kind: 'InMsgBody_excesses';
    readonly query_id: number;
}

export interface InMsgBody_stake_withdrawn {
    readonly kind: 'InMsgBody_stake_withdrawn';
    readonly query_id: number;
    readonly amount: Coins;
}

export interface InMsgBody_request_refused {
    readonly kind: 'InMsgBody_request_refused';
    readonly query_id: number;
    readonly error: number;
}

export interface InMsgBody_provider_registered {
    readonly kind: 'InMsgBody_provider_registered';
    readonly query_id: number;
    readonly stake: Coins;
}

// provider_offer$_ price_per_unit:Coins endpoint:^Cell = ProviderOffer;

export interface ProviderOffer {
    readonly kind: 'ProviderOffer';
    readonly price_per_unit: Coins;
    readonly endpoint: Cell;
}

// attestation_verifier$_ key:bits256 = AttestationVerifier;

export interface AttestationVerifier {
    readonly kind: 'AttestationVerifier';
    readonly key: BitString;
}

/*
provider_attestation$_ policy_hash:bits256 operator_key:bits256 encryption_key:bits256
    attested_at:uint32 expires_at:uint32 verifier:^AttestationVerifier = ProviderAttestation;
*/

export interface ProviderAttestation {
    readonly kind: 'ProviderAttestation';
    readonly policy_hash: BitString;
    readonly operator_key: BitString;
    readonly encryption_key: BitString;
    readonly attested_at: number;
    readonly expires_at: number;
    readonly verifier: AttestationVerifier;
}

/*
provider_storage_uninit$_ root:MsgAddressInt owner:MsgAddressInt state:(## 4)
    { state = 0 } = ProviderStorageUninit;
*/

export interface ProviderStorageUninit {
    readonly kind: 'ProviderStorageUninit';
    readonly root: Address;
    readonly owner: Address;
    readonly state: number;
}

/*
provider_storage$_ root:MsgAddressInt owner:MsgAddressInt state:(## 4) stake:Coins
    revoked:Bool unbond_at:uint32
    attestation:^ProviderAttestation offer:^ProviderOffer
    models:(HashmapE 256 True) params:^ProviderParams = ProviderStorage;
*/

export interface ProviderStorage {
    readonly kind: 'ProviderStorage';
    readonly root: Address;
    readonly owner: Address;
    readonly state: number;
    readonly stake: Coins;
    readonly revoked: boolean;
    readonly unbond_at: number;
    readonly attestation: ProviderAttestation;
    readonly offer: ProviderOffer;
    readonly models: Dictionary<bigint, True>;
    readonly params: ProviderParams;
}

// nothing$0 {X:Type} = Maybe X;

// just$1 {X:Type} value:X = Maybe X;

export function loadMaybe<X>(slice: Slice, loadX: (slice: Slice) => X): Maybe<X> {
    if (((slice.remainingBits >= 1) && (slice.preloadUint(1) == 0b0))) {
        slice.loadUint(1);
        return {
            kind: 'Maybe_nothing',
        }

    }
    if (((slice.remainingBits >= 1) && (slice.preloadUint(1) == 0b1))) {
        slice.loadUint(1);
        let value: X = loadX(slice);
        return {
            kind: 'Maybe_just',
            value: value,
        }

    }
    throw new Error('Expected one of "Maybe_nothing", "Maybe_just" in loading "Maybe", but data does not satisfy any constructor');
}

export function storeMaybe<X>(maybe: Maybe<X>, storeX: (x: X) => (builder: Builder) => void): (builder: Builder) => void {
    if ((maybe.kind == 'Maybe_nothing')) {
        return ((builder: Builder) => {
            builder.storeUint(0b0, 1);
        })

    }
    if ((maybe.kind == 'Maybe_just')) {
        return ((builder: Builder) => {
            builder.storeUint(0b1, 1);
            storeX(maybe.value)(builder);
        })

    }
    throw new Error('Expected one of "Maybe_nothing", "Maybe_just" in loading "Maybe", but data does not satisfy any constructor');
}

// true$_ = True;

export function loadTrue(slice: Slice): True {
    return {
        kind: 'True',
    }

}

export function storeTrue(true0: True): (builder: Builder) => void {
    return ((builder: Builder) => {
    })

}

// _ grams:Grams = Coins;

export function loadCoins(slice: Slice): Coins {
    let grams: bigint = slice.loadCoins();
    return {
        kind: 'Coins',
        grams: grams,
    }

}

export function storeCoins(coins: Coins): (builder: Builder) => void {
    return ((builder: Builder) => {
        builder.storeCoins(coins.grams);
    })

}

/*
attestation_statement#c0c0a77e issued_at:uint32 expires_at:uint32
    policy_hash:bits256 operator_key:bits256 encryption_key:bits256
    subject:^StatementSubject = AttestationStatement;
*/

export function loadAttestationStatement(slice: Slice): AttestationStatement {
    if (((slice.remainingBits >= 32) && (slice.preloadUint(32) == 0xc0c0a77e))) {
        slice.loadUint(32);
        let issued_at: number = slice.loadUint(32);
        let expires_at: number = slice.loadUint(32);
        let policy_hash: BitString = slice.loadBits(256);
        let operator_key: BitString = slice.loadBits(256);
        let encryption_key: BitString = slice.loadBits(256);
        let slice1 = slice.loadRef().beginParse(true);
        let subject: StatementSubject = loadStatementSubject(slice1);
        return {
            kind: 'AttestationStatement',
            issued_at: issued_at,
            expires_at: expires_at,
            policy_hash: policy_hash,
            operator_key: operator_key,
            encryption_key: encryption_key,
            subject: subject,
        }

    }
    throw new Error('Expected one of "AttestationStatement" in loading "AttestationStatement", but data does not satisfy any constructor');
}

export function storeAttestationStatement(attestationStatement: AttestationStatement): (builder: Builder) => void {
    return ((builder: Builder) => {
        builder.storeUint(0xc0c0a77e, 32);
        builder.storeUint(attestationStatement.issued_at, 32);
        builder.storeUint(attestationStatement.expires_at, 32);
        builder.storeBits(attestationStatement.policy_hash);
        builder.storeBits(attestationStatement.operator_key);
        builder.storeBits(attestationStatement.encryption_key);
        let cell1 = beginCell();
        storeStatementSubject(attestationStatement.subject)(cell1);
        builder.storeRef(cell1);
    })

}

// statement_subject$_ root:MsgAddressInt owner:MsgAddressInt = StatementSubject;

export function loadStatementSubject(slice: Slice): StatementSubject {
    let root: Address = slice.loadAddress();
    let owner: Address = slice.loadAddress();
    return {
        kind: 'StatementSubject',
        root: root,
        owner: owner,
    }

}

export function storeStatementSubject(statementSubject: StatementSubject): (builder: Builder) => void {
    return ((builder: Builder) => {
        builder.storeAddress(statementSubject.root);
        builder.storeAddress(statementSubject.owner);
    })

}

/*
signed_statement$_ verifier_key:bits256 signature:bits512
    statement:^AttestationStatement = SignedStatement;
*/

export function loadSignedStatement(slice: Slice): SignedStatement {
    let verifier_key: BitString = slice.loadBits(256);
    let signature: BitString = slice.loadBits(512);
    let slice1 = slice.loadRef().beginParse(true);
    let statement: AttestationStatement = loadAttestationStatement(slice1);
    return {
        kind: 'SignedStatement',
        verifier_key: verifier_key,
        signature: signature,
        statement: statement,
    }

}

export function storeSignedStatement(signedStatement: SignedStatement): (builder: Builder) => void {
    return ((builder: Builder) => {
        builder.storeBits(signedStatement.verifier_key);
        builder.storeBits(signedStatement.signature);
        let cell1 = beginCell();
        storeAttestationStatement(signedStatement.statement)(cell1);
        builder.storeRef(cell1);
    })

}

/*
params$_ min_stake:Coins unbonding_period:uint32 attestation_max_age:uint32
    timelock_delay:uint32 max_models:uint8 treasury:MsgAddressInt = Params;
*/

export function loadParams(slice: Slice): Params {
    let min_stake: Coins = loadCoins(slice);
    let unbonding_period: number = slice.loadUint(32);
    let attestation_max_age: number = slice.loadUint(32);
    let timelock_delay: number = slice.loadUint(32);
    let max_models: number = slice.loadUint(8);
    let treasury: Address = slice.loadAddress();
    return {
        kind: 'Params',
        min_stake: min_stake,
        unbonding_period: unbonding_period,
        attestation_max_age: attestation_max_age,
        timelock_delay: timelock_delay,
        max_models: max_models,
        treasury: treasury,
    }

}

export function storeParams(params: Params): (builder: Builder) => void {
    return ((builder: Builder) => {
        storeCoins(params.min_stake)(builder);
        builder.storeUint(params.unbonding_period, 32);
        builder.storeUint(params.attestation_max_age, 32);
        builder.storeUint(params.timelock_delay, 32);
        builder.storeUint(params.max_models, 8);
        builder.storeAddress(params.treasury);
    })

}

// provider_params$_ min_stake:Coins unbonding_period:uint32 root_version:uint32 = ProviderParams;

export function loadProviderParams(slice: Slice): ProviderParams {
    let min_stake: Coins = loadCoins(slice);
    let unbonding_period: number = slice.loadUint(32);
    let root_version: number = slice.loadUint(32);
    return {
        kind: 'ProviderParams',
        min_stake: min_stake,
        unbonding_period: unbonding_period,
        root_version: root_version,
    }

}

export function storeProviderParams(providerParams: ProviderParams): (builder: Builder) => void {
    return ((builder: Builder) => {
        storeCoins(providerParams.min_stake)(builder);
        builder.storeUint(providerParams.unbonding_period, 32);
        builder.storeUint(providerParams.root_version, 32);
    })

}

/*
root_storage$_ version:uint32 paused:Bool governance:MsgAddressInt guardian:MsgAddressInt
    params:^Params trust:^RootTrust admin:^RootAdmin provider_code:^Cell = RootStorage;
*/

export function loadRootStorage(slice: Slice): RootStorage {
    let version: number = slice.loadUint(32);
    let paused: boolean = slice.loadBoolean();
    let governance: Address = slice.loadAddress();
    let guardian: Address = slice.loadAddress();
    let slice1 = slice.loadRef().beginParse(true);
    let params: Params = loadParams(slice1);
    let slice2 = slice.loadRef().beginParse(true);
    let trust: RootTrust = loadRootTrust(slice2);
    let slice3 = slice.loadRef().beginParse(true);
    let admin: RootAdmin = loadRootAdmin(slice3);
    let slice4 = slice.loadRef().beginParse(true);
    let provider_code: Cell = slice4.asCell();
    return {
        kind: 'RootStorage',
        version: version,
        paused: paused,
        governance: governance,
        guardian: guardian,
        params: params,
        trust: trust,
        admin: admin,
        provider_code: provider_code,
    }

}

export function storeRootStorage(rootStorage: RootStorage): (builder: Builder) => void {
    return ((builder: Builder) => {
        builder.storeUint(rootStorage.version, 32);
        builder.storeBit(rootStorage.paused);
        builder.storeAddress(rootStorage.governance);
        builder.storeAddress(rootStorage.guardian);
        let cell1 = beginCell();
        storeParams(rootStorage.params)(cell1);
        builder.storeRef(cell1);
        let cell2 = beginCell();
        storeRootTrust(rootStorage.trust)(cell2);
        builder.storeRef(cell2);
        let cell3 = beginCell();
        storeRootAdmin(rootStorage.admin)(cell3);
        builder.storeRef(cell3);
        let cell4 = beginCell();
        cell4.storeSlice(rootStorage.provider_code.beginParse(true));
        builder.storeRef(cell4);
    })

}

/*
root_trust$_ policies:(HashmapE 256 ^Cell) models:(HashmapE 256 ^Cell)
    verifier_keys:(HashmapE 256 True) = RootTrust;
*/

export function loadRootTrust(slice: Slice): RootTrust {
    let policies: Dictionary<bigint, Cell> = Dictionary.load(Dictionary.Keys.BigUint(256), {
        serialize: () => { throw new Error('Not implemented') },
        parse: ((slice: Slice) => {
        let slice1 = slice.loadRef().beginParse(true);
        return slice1.asCell()

    }),
    }, slice);
    let models: Dictionary<bigint, Cell> = Dictionary.load(Dictionary.Keys.BigUint(256), {
        serialize: () => { throw new Error('Not implemented') },
        parse: ((slice: Slice) => {
        let slice1 = slice.loadRef().beginParse(true);
        return slice1.asCell()

    }),
    }, slice);
    let verifier_keys: Dictionary<bigint, True> = Dictionary.load(Dictionary.Keys.BigUint(256), {
        serialize: () => { throw new Error('Not implemented') },
        parse: loadTrue,
    }, slice);
    return {
        kind: 'RootTrust',
        policies: policies,
        models: models,
        verifier_keys: verifier_keys,
    }

}

export function storeRootTrust(rootTrust: RootTrust): (builder: Builder) => void {
    return ((builder: Builder) => {
        builder.storeDict(rootTrust.policies, Dictionary.Keys.BigUint(256), {
            serialize: ((arg: Cell, builder: Builder) => {
            ((arg: Cell) => {
                return ((builder: Builder) => {
                    let cell1 = beginCell();
                    cell1.storeSlice(arg.beginParse(true));
                    builder.storeRef(cell1);

                })

            })(arg)(builder);
        }),
            parse: () => { throw new Error('Not implemented') },
        });
        builder.storeDict(rootTrust.models, Dictionary.Keys.BigUint(256), {
            serialize: ((arg: Cell, builder: Builder) => {
            ((arg: Cell) => {
                return ((builder: Builder) => {
                    let cell1 = beginCell();
                    cell1.storeSlice(arg.beginParse(true));
                    builder.storeRef(cell1);

                })

            })(arg)(builder);
        }),
            parse: () => { throw new Error('Not implemented') },
        });
        builder.storeDict(rootTrust.verifier_keys, Dictionary.Keys.BigUint(256), {
            serialize: ((arg: True, builder: Builder) => {
            storeTrue(arg)(builder);
        }),
            parse: () => { throw new Error('Not implemented') },
        });
    })

}

// timelocked_change$_ eta:uint32 action:^TimelockAction = TimelockedChange;

export function loadTimelockedChange(slice: Slice): TimelockedChange {
    let eta: number = slice.loadUint(32);
    let slice1 = slice.loadRef().beginParse(true);
    let action: TimelockAction = loadTimelockAction(slice1);
    return {
        kind: 'TimelockedChange',
        eta: eta,
        action: action,
    }

}

export function storeTimelockedChange(timelockedChange: TimelockedChange): (builder: Builder) => void {
    return ((builder: Builder) => {
        builder.storeUint(timelockedChange.eta, 32);
        let cell1 = beginCell();
        storeTimelockAction(timelockedChange.action)(cell1);
        builder.storeRef(cell1);
    })

}

/*
root_admin$_ pending_governance:(Maybe MsgAddressInt) next_change_id:uint32
    pending_count:uint8 changes:(HashmapE 32 TimelockedChange) = RootAdmin;
*/

export function loadRootAdmin(slice: Slice): RootAdmin {
    let pending_governance: Maybe<Address> = loadMaybe<Address>(slice, ((slice: Slice) => {
        return slice.loadAddress()

    }));
    let next_change_id: number = slice.loadUint(32);
    let pending_count: number = slice.loadUint(8);
    let changes: Dictionary<number, TimelockedChange> = Dictionary.load(Dictionary.Keys.Uint(32), {
        serialize: () => { throw new Error('Not implemented') },
        parse: loadTimelockedChange,
    }, slice);
    return {
        kind: 'RootAdmin',
        pending_governance: pending_governance,
        next_change_id: next_change_id,
        pending_count: pending_count,
        changes: changes,
    }

}

export function storeRootAdmin(rootAdmin: RootAdmin): (builder: Builder) => void {
    return ((builder: Builder) => {
        storeMaybe<Address>(rootAdmin.pending_governance, ((arg: Address) => {
            return ((builder: Builder) => {
                builder.storeAddress(arg);
            })

        }))(builder);
        builder.storeUint(rootAdmin.next_change_id, 32);
        builder.storeUint(rootAdmin.pending_count, 8);
        builder.storeDict(rootAdmin.changes, Dictionary.Keys.Uint(32), {
            serialize: ((arg: TimelockedChange, builder: Builder) => {
            storeTimelockedChange(arg)(builder);
        }),
            parse: () => { throw new Error('Not implemented') },
        });
    })

}

// add_policy#01 policy_hash:bits256 meta:^Cell = TimelockAction;

// add_model#02 model_hash:bits256 meta:^Cell = TimelockAction;

// add_verifier_key#03 key:bits256 = TimelockAction;

// set_params#04 params:^Params = TimelockAction;

// upgrade_root_code#05 code:^Cell = TimelockAction;

// set_guardian#06 guardian:MsgAddressInt = TimelockAction;

export function loadTimelockAction(slice: Slice): TimelockAction {
    if (((slice.remainingBits >= 8) && (slice.preloadUint(8) == 0x01))) {
        slice.loadUint(8);
        let policy_hash: BitString = slice.loadBits(256);
        let slice1 = slice.loadRef().beginParse(true);
        let meta: Cell = slice1.asCell();
        return {
            kind: 'TimelockAction_add_policy',
            policy_hash: policy_hash,
            meta: meta,
        }

    }
    if (((slice.remainingBits >= 8) && (slice.preloadUint(8) == 0x02))) {
        slice.loadUint(8);
        let model_hash: BitString = slice.loadBits(256);
        let slice1 = slice.loadRef().beginParse(true);
        let meta: Cell = slice1.asCell();
        return {
            kind: 'TimelockAction_add_model',
            model_hash: model_hash,
            meta: meta,
        }

    }
    if (((slice.remainingBits >= 8) && (slice.preloadUint(8) == 0x03))) {
        slice.loadUint(8);
        let key: BitString = slice.loadBits(256);
        return {
            kind: 'TimelockAction_add_verifier_key',
            key: key,
        }

    }
    if (((slice.remainingBits >= 8) && (slice.preloadUint(8) == 0x04))) {
        slice.loadUint(8);
        let slice1 = slice.loadRef().beginParse(true);
        let params: Params = loadParams(slice1);
        return {
            kind: 'TimelockAction_set_params',
            params: params,
        }

    }
    if (((slice.remainingBits >= 8) && (slice.preloadUint(8) == 0x05))) {
        slice.loadUint(8);
        let slice1 = slice.loadRef().beginParse(true);
        let code: Cell = slice1.asCell();
        return {
            kind: 'TimelockAction_upgrade_root_code',
            code: code,
        }

    }
    if (((slice.remainingBits >= 8) && (slice.preloadUint(8) == 0x06))) {
        slice.loadUint(8);
        let guardian: Address = slice.loadAddress();
        return {
            kind: 'TimelockAction_set_guardian',
            guardian: guardian,
        }

    }
    throw new Error('Expected one of "TimelockAction_add_policy", "TimelockAction_add_model", "TimelockAction_add_verifier_key", "TimelockAction_set_params", "TimelockAction_upgrade_root_code", "TimelockAction_set_guardian" in loading "TimelockAction", but data does not satisfy any constructor');
}

export function storeTimelockAction(timelockAction: TimelockAction): (builder: Builder) => void {
    if ((timelockAction.kind == 'TimelockAction_add_policy')) {
        return ((builder: Builder) => {
            builder.storeUint(0x01, 8);
            builder.storeBits(timelockAction.policy_hash);
            let cell1 = beginCell();
            cell1.storeSlice(timelockAction.meta.beginParse(true));
            builder.storeRef(cell1);
        })

    }
    if ((timelockAction.kind == 'TimelockAction_add_model')) {
        return ((builder: Builder) => {
            builder.storeUint(0x02, 8);
            builder.storeBits(timelockAction.model_hash);
            let cell1 = beginCell();
            cell1.storeSlice(timelockAction.meta.beginParse(true));
            builder.storeRef(cell1);
        })

    }
    if ((timelockAction.kind == 'TimelockAction_add_verifier_key')) {
        return ((builder: Builder) => {
            builder.storeUint(0x03, 8);
            builder.storeBits(timelockAction.key);
        })

    }
    if ((timelockAction.kind == 'TimelockAction_set_params')) {
        return ((builder: Builder) => {
            builder.storeUint(0x04, 8);
            let cell1 = beginCell();
            storeParams(timelockAction.params)(cell1);
            builder.storeRef(cell1);
        })

    }
    if ((timelockAction.kind == 'TimelockAction_upgrade_root_code')) {
        return ((builder: Builder) => {
            builder.storeUint(0x05, 8);
            let cell1 = beginCell();
            cell1.storeSlice(timelockAction.code.beginParse(true));
            builder.storeRef(cell1);
        })

    }
    if ((timelockAction.kind == 'TimelockAction_set_guardian')) {
        return ((builder: Builder) => {
            builder.storeUint(0x06, 8);
            builder.storeAddress(timelockAction.guardian);
        })

    }
    throw new Error('Expected one of "TimelockAction_add_policy", "TimelockAction_add_model", "TimelockAction_add_verifier_key", "TimelockAction_set_params", "TimelockAction_upgrade_root_code", "TimelockAction_set_guardian" in loading "TimelockAction", but data does not satisfy any constructor');
}

// revoked_policy$00 policy_hash:bits256 = RevocationSubject;

// revoked_model$01 model_hash:bits256 = RevocationSubject;

// revoked_verifier_key$10 key:bits256 = RevocationSubject;

export function loadRevocationSubject(slice: Slice): RevocationSubject {
    if (((slice.remainingBits >= 2) && (slice.preloadUint(2) == 0b00))) {
        slice.loadUint(2);
        let policy_hash: BitString = slice.loadBits(256);
        return {
            kind: 'RevocationSubject_revoked_policy',
            policy_hash: policy_hash,
        }

    }
    if (((slice.remainingBits >= 2) && (slice.preloadUint(2) == 0b01))) {
        slice.loadUint(2);
        let model_hash: BitString = slice.loadBits(256);
        return {
            kind: 'RevocationSubject_revoked_model',
            model_hash: model_hash,
        }

    }
    if (((slice.remainingBits >= 2) && (slice.preloadUint(2) == 0b10))) {
        slice.loadUint(2);
        let key: BitString = slice.loadBits(256);
        return {
            kind: 'RevocationSubject_revoked_verifier_key',
            key: key,
        }

    }
    throw new Error('Expected one of "RevocationSubject_revoked_policy", "RevocationSubject_revoked_model", "RevocationSubject_revoked_verifier_key" in loading "RevocationSubject", but data does not satisfy any constructor');
}

export function storeRevocationSubject(revocationSubject: RevocationSubject): (builder: Builder) => void {
    if ((revocationSubject.kind == 'RevocationSubject_revoked_policy')) {
        return ((builder: Builder) => {
            builder.storeUint(0b00, 2);
            builder.storeBits(revocationSubject.policy_hash);
        })

    }
    if ((revocationSubject.kind == 'RevocationSubject_revoked_model')) {
        return ((builder: Builder) => {
            builder.storeUint(0b01, 2);
            builder.storeBits(revocationSubject.model_hash);
        })

    }
    if ((revocationSubject.kind == 'RevocationSubject_revoked_verifier_key')) {
        return ((builder: Builder) => {
            builder.storeUint(0b10, 2);
            builder.storeBits(revocationSubject.key);
        })

    }
    throw new Error('Expected one of "RevocationSubject_revoked_policy", "RevocationSubject_revoked_model", "RevocationSubject_revoked_verifier_key" in loading "RevocationSubject", but data does not satisfy any constructor');
}

/*
register_provider#c0c01001 query_id:uint64 stake:Coins statement:^SignedStatement
    offer:^ProviderOffer models:(HashmapE 256 True) = InMsgBody;
*/

// reattest_provider#c0c01002 query_id:uint64 statement:^SignedStatement = InMsgBody;

// update_provider_models#c0c01003 query_id:uint64 models:(HashmapE 256 True) = InMsgBody;

// check_provider#c0c01004 query_id:uint64 owner:MsgAddressInt subject:RevocationSubject = InMsgBody;

// queue_change#c0c01010 query_id:uint64 action:^TimelockAction = InMsgBody;

// execute_change#c0c01011 query_id:uint64 change_id:uint32 = InMsgBody;

// cancel_change#c0c01012 query_id:uint64 change_id:uint32 = InMsgBody;

// revoke_policy#c0c01020 query_id:uint64 policy_hash:bits256 = InMsgBody;

// revoke_model#c0c01021 query_id:uint64 model_hash:bits256 = InMsgBody;

// revoke_verifier_key#c0c01022 query_id:uint64 key:bits256 = InMsgBody;

// pause#c0c01023 query_id:uint64 = InMsgBody;

// unpause#c0c01024 query_id:uint64 = InMsgBody;

// propose_governance#c0c01030 query_id:uint64 new_governance:MsgAddressInt = InMsgBody;

// claim_governance#c0c01031 query_id:uint64 = InMsgBody;

// collect_root_excess#c0c01040 query_id:uint64 = InMsgBody;

/*
provider_init#c0c02001 query_id:uint64 stake:Coins attestation:^ProviderAttestation
    offer:^ProviderOffer models:(HashmapE 256 True) params:^ProviderParams = InMsgBody;
*/

/*
provider_reattest#c0c02002 query_id:uint64 attestation:^ProviderAttestation
    params:^ProviderParams = InMsgBody;
*/

/*
provider_set_models#c0c02003 query_id:uint64 models:(HashmapE 256 True)
    params:^ProviderParams = InMsgBody;
*/

/*
provider_revoke#c0c02004 query_id:uint64 subject:RevocationSubject
    keeper:MsgAddressInt = InMsgBody;
*/

// top_up#c0c02010 query_id:uint64 amount:Coins = InMsgBody;

// update_offer#c0c02011 query_id:uint64 offer:^ProviderOffer = InMsgBody;

// request_unbond#c0c02012 query_id:uint64 = InMsgBody;

// withdraw_stake#c0c02013 query_id:uint64 = InMsgBody;

// excesses#d53276db query_id:uint64 = InMsgBody;

// stake_withdrawn#c0c02020 query_id:uint64 amount:Coins = InMsgBody;

// request_refused#c0c02021 query_id:uint64 error:uint16 = InMsgBody;

// provider_registered#c0c02022 query_id:uint64 stake:Coins = InMsgBody;

export function loadInMsgBody(slice: Slice): InMsgBody {
    if (((slice.remainingBits >= 32) && (slice.preloadUint(32) == 0xc0c01001))) {
        slice.loadUint(32);
        let query_id: number = slice.loadUint(64);
        let stake: Coins = loadCoins(slice);
        let slice1 = slice.loadRef().beginParse(true);
        let statement: SignedStatement = loadSignedStatement(slice1);
        let slice2 = slice.loadRef().beginParse(true);
        let offer: ProviderOffer = loadProviderOffer(slice2);
        let models: Dictionary<bigint, True> = Dictionary.load(Dictionary.Keys.BigUint(256), {
            serialize: () => { throw new Error('Not implemented') },
            parse: loadTrue,
        }, slice);
        return {
            kind: 'InMsgBody_register_provider',
            query_id: query_id,
            stake: stake,
            statement: statement,
            offer: offer,
            models: models,
        }

    }
    if (((slice.remainingBits >= 32) && (slice.preloadUint(32) == 0xc0c01002))) {
        slice.loadUint(32);
        let query_id: number = slice.loadUint(64);
        let slice1 = slice.loadRef().beginParse(true);
        let statement: SignedStatement = loadSignedStatement(slice1);
        return {
            kind: 'InMsgBody_reattest_provider',
            query_id: query_id,
            statement: statement,
        }

    }
    if (((slice.remainingBits >= 32) && (slice.preloadUint(32) == 0xc0c01003))) {
        slice.loadUint(32);
        let query_id: number = slice.loadUint(64);
        let models: Dictionary<bigint, True> = Dictionary.load(Dictionary.Keys.BigUint(256), {
            serialize: () => { throw new Error('Not implemented') },
            parse: loadTrue,
        }, slice);
        return {
            kind: 'InMsgBody_update_provider_models',
            query_id: query_id,
            models: models,
        }

    }
    if (((slice.remainingBits >= 32) && (slice.preloadUint(32) == 0xc0c01004))) {
        slice.loadUint(32);
        let query_id: number = slice.loadUint(64);
        let owner: Address = slice.loadAddress();
        let subject: RevocationSubject = loadRevocationSubject(slice);
        return {
            kind: 'InMsgBody_check_provider',
            query_id: query_id,
            owner: owner,
            subject: subject,
        }

    }
    if (((slice.remainingBits >= 32) && (slice.preloadUint(32) == 0xc0c01010))) {
        slice.loadUint(32);
        let query_id: number = slice.loadUint(64);
        let slice1 = slice.loadRef().beginParse(true);
        let action: TimelockAction = loadTimelockAction(slice1);
        return {
            kind: 'InMsgBody_queue_change',
            query_id: query_id,
            action: action,
        }

    }
    if (((slice.remainingBits >= 32) && (slice.preloadUint(32) == 0xc0c01011))) {
        slice.loadUint(32);
        let query_id: number = slice.loadUint(64);
        let change_id: number = slice.loadUint(32);
        return {
            kind: 'InMsgBody_execute_change',
            query_id: query_id,
            change_id: change_id,
        }

    }
    if (((slice.remainingBits >= 32) && (slice.preloadUint(32) == 0xc0c01012))) {
        slice.loadUint(32);
        let query_id: number = slice.loadUint(64);
        let change_id: number = slice.loadUint(32);
        return {
            kind: 'InMsgBody_cancel_change',
            query_id: query_id,
            change_id: change_id,
        }

    }
    if (((slice.remainingBits >= 32) && (slice.preloadUint(32) == 0xc0c01020))) {
        slice.loadUint(32);
        let query_id: number = slice.loadUint(64);
        let policy_hash: BitString = slice.loadBits(256);
        return {
            kind: 'InMsgBody_revoke_policy',
            query_id: query_id,
            policy_hash: policy_hash,
        }

    }
    if (((slice.remainingBits >= 32) && (slice.preloadUint(32) == 0xc0c01021))) {
        slice.loadUint(32);
        let query_id: number = slice.loadUint(64);
        let model_hash: BitString = slice.loadBits(256);
        return {
            kind: 'InMsgBody_revoke_model',
            query_id: query_id,
            model_hash: model_hash,
        }

    }
    if (((slice.remainingBits >= 32) && (slice.preloadUint(32) == 0xc0c01022))) {
        slice.loadUint(32);
        let query_id: number = slice.loadUint(64);
        let key: BitString = slice.loadBits(256);
        return {
            kind: 'InMsgBody_revoke_verifier_key',
            query_id: query_id,
            key: key,
        }

    }
    if (((slice.remainingBits >= 32) && (slice.preloadUint(32) == 0xc0c01023))) {
        slice.loadUint(32);
        let query_id: number = slice.loadUint(64);
        return {
            kind: 'InMsgBody_pause',
            query_id: query_id,
        }

    }
    if (((slice.remainingBits >= 32) && (slice.preloadUint(32) == 0xc0c01024))) {
        slice.loadUint(32);
        let query_id: number = slice.loadUint(64);
        return {
            kind: 'InMsgBody_unpause',
            query_id: query_id,
        }

    }
    if (((slice.remainingBits >= 32) && (slice.preloadUint(32) == 0xc0c01030))) {
        slice.loadUint(32);
        let query_id: number = slice.loadUint(64);
        let new_governance: Address = slice.loadAddress();
        return {
            kind: 'InMsgBody_propose_governance',
            query_id: query_id,
            new_governance: new_governance,
        }

    }
    if (((slice.remainingBits >= 32) && (slice.preloadUint(32) == 0xc0c01031))) {
        slice.loadUint(32);
        let query_id: number = slice.loadUint(64);
        return {
            kind: 'InMsgBody_claim_governance',
            query_id: query_id,
        }

    }
    if (((slice.remainingBits >= 32) && (slice.preloadUint(32) == 0xc0c01040))) {
        slice.loadUint(32);
        let query_id: number = slice.loadUint(64);
        return {
            kind: 'InMsgBody_collect_root_excess',
            query_id: query_id,
        }

    }
    if (((slice.remainingBits >= 32) && (slice.preloadUint(32) == 0xc0c02001))) {
        slice.loadUint(32);
        let query_id: number = slice.loadUint(64);
        let stake: Coins = loadCoins(slice);
        let slice1 = slice.loadRef().beginParse(true);
        let attestation: ProviderAttestation = loadProviderAttestation(slice1);
        let slice2 = slice.loadRef().beginParse(true);
        let offer: ProviderOffer = loadProviderOffer(slice2);
        let models: Dictionary<bigint, True> = Dictionary.load(Dictionary.Keys.BigUint(256), {
            serialize: () => { throw new Error('Not implemented') },
            parse: loadTrue,
        }, slice);
        let slice3 = slice.loadRef().beginParse(true);
        let params: ProviderParams = loadProviderParams(slice3);
        return {
            kind: 'InMsgBody_provider_init',
            query_id: query_id,
            stake: stake,
            attestation: attestation,
            offer: offer,
            models: models,
            params: params,
        }

    }
    if (((slice.remainingBits >= 32) && (slice.preloadUint(32) == 0xc0c02002))) {
        slice.loadUint(32);
        let query_id: number = slice.loadUint(64);
        let slice1 = slice.loadRef().beginParse(true);
        let attestation: ProviderAttestation = loadProviderAttestation(slice1);
        let slice2 = slice.loadRef().beginParse(true);
        let params: ProviderParams = loadProviderParams(slice2);
        return {
            kind: 'InMsgBody_provider_reattest',
            query_id: query_id,
            attestation: attestation,
            params: params,
        }

    }
    if (((slice.remainingBits >= 32) && (slice.preloadUint(32) == 0xc0c02003))) {
        slice.loadUint(32);
        let query_id: number = slice.loadUint(64);
        let models: Dictionary<bigint, True> = Dictionary.load(Dictionary.Keys.BigUint(256), {
            serialize: () => { throw new Error('Not implemented') },
            parse: loadTrue,
        }, slice);
        let slice1 = slice.loadRef().beginParse(true);
        let params: ProviderParams = loadProviderParams(slice1);
        return {
            kind: 'InMsgBody_provider_set_models',
            query_id: query_id,
            models: models,
            params: params,
        }

    }
    if (((slice.remainingBits >= 32) && (slice.preloadUint(32) == 0xc0c02004))) {
        slice.loadUint(32);
        let query_id: number = slice.loadUint(64);
        let subject: RevocationSubject = loadRevocationSubject(slice);
        let keeper: Address = slice.loadAddress();
        return {
            kind: 'InMsgBody_provider_revoke',
            query_id: query_id,
            subject: subject,
            keeper: keeper,
        }

    }
    if (((slice.remainingBits >= 32) && (slice.preloadUint(32) == 0xc0c02010))) {
        slice.loadUint(32);
        let query_id: number = slice.loadUint(64);
        let amount: Coins = loadCoins(slice);
        return {
            kind: 'InMsgBody_top_up',
            query_id: query_id,
            amount: amount,
        }

    }
    if (((slice.remainingBits >= 32) && (slice.preloadUint(32) == 0xc0c02011))) {
        slice.loadUint(32);
        let query_id: number = slice.loadUint(64);
        let slice1 = slice.loadRef().beginParse(true);
        let offer: ProviderOffer = loadProviderOffer(slice1);
        return {
            kind: 'InMsgBody_update_offer',
            query_id: query_id,
            offer: offer,
        }

    }
    if (((slice.remainingBits >= 32) && (slice.preloadUint(32) == 0xc0c02012))) {
        slice.loadUint(32);
        let query_id: number = slice.loadUint(64);
        return {
            kind: 'InMsgBody_request_unbond',
            query_id: query_id,
        }

    }
    if (((slice.remainingBits >= 32) && (slice.preloadUint(32) == 0xc0c02013))) {
        slice.loadUint(32);
        let query_id: number = slice.loadUint(64);
        return {
            kind: 'InMsgBody_withdraw_stake',
            query_id: query_id,
        }

    }
    if (((slice.remainingBits >= 32) && (slice.preloadUint(32) == 0xd53276db))) {
        slice.loadUint(32);
        let query_id: number = slice.loadUint(64);
        return {
            kind: 'InMsgBody_excesses',
            query_id: query_id,
        }

    }
    if (((slice.remainingBits >= 32) && (slice.preloadUint(32) == 0xc0c02020))) {
        slice.loadUint(32);
        let query_id: number = slice.loadUint(64);
        let amount: Coins = loadCoins(slice);
        return {
            kind: 'InMsgBody_stake_withdrawn',
            query_id: query_id,
            amount: amount,
        }

    }
    if (((slice.remainingBits >= 32) && (slice.preloadUint(32) == 0xc0c02021))) {
        slice.loadUint(32);
        let query_id: number = slice.loadUint(64);
        let error: number = slice.loadUint(16);
        return {
            kind: 'InMsgBody_request_refused',
            query_id: query_id,
            error: error,
        }

    }
    if (((slice.remainingBits >= 32) && (slice.preloadUint(32) == 0xc0c02022))) {
        slice.loadUint(32);
        let query_id: number = slice.loadUint(64);
        let stake: Coins = loadCoins(slice);
        return {
            kind: 'InMsgBody_provider_registered',
            query_id: query_id,
            stake: stake,
        }

    }
    throw new Error('Expected one of "InMsgBody_register_provider", "InMsgBody_reattest_provider", "InMsgBody_update_provider_models", "InMsgBody_check_provider", "InMsgBody_queue_change", "InMsgBody_execute_change", "InMsgBody_cancel_change", "InMsgBody_revoke_policy", "InMsgBody_revoke_model", "InMsgBody_revoke_verifier_key", "InMsgBody_pause", "InMsgBody_unpause", "InMsgBody_propose_governance", "InMsgBody_claim_governance", "InMsgBody_collect_root_excess", "InMsgBody_provider_init", "InMsgBody_provider_reattest", "InMsgBody_provider_set_models", "InMsgBody_provider_revoke", "InMsgBody_top_up", "InMsgBody_update_offer", "InMsgBody_request_unbond", "InMsgBody_withdraw_stake", "InMsgBody_excesses", "InMsgBody_stake_withdrawn", "InMsgBody_request_refused", "InMsgBody_provider_registered" in loading "InMsgBody", but data does not satisfy any constructor');
}

export function storeInMsgBody(inMsgBody: InMsgBody): (builder: Builder) => void {
    if ((inMsgBody.kind == 'InMsgBody_register_provider')) {
        return ((builder: Builder) => {
            builder.storeUint(0xc0c01001, 32);
            builder.storeUint(inMsgBody.query_id, 64);
            storeCoins(inMsgBody.stake)(builder);
            let cell1 = beginCell();
            storeSignedStatement(inMsgBody.statement)(cell1);
            builder.storeRef(cell1);
            let cell2 = beginCell();
            storeProviderOffer(inMsgBody.offer)(cell2);
            builder.storeRef(cell2);
            builder.storeDict(inMsgBody.models, Dictionary.Keys.BigUint(256), {
                serialize: ((arg: True, builder: Builder) => {
                storeTrue(arg)(builder);
            }),
                parse: () => { throw new Error('Not implemented') },
            });
        })

    }
    if ((inMsgBody.kind == 'InMsgBody_reattest_provider')) {
        return ((builder: Builder) => {
            builder.storeUint(0xc0c01002, 32);
            builder.storeUint(inMsgBody.query_id, 64);
            let cell1 = beginCell();
            storeSignedStatement(inMsgBody.statement)(cell1);
            builder.storeRef(cell1);
        })

    }
    if ((inMsgBody.kind == 'InMsgBody_update_provider_models')) {
        return ((builder: Builder) => {
            builder.storeUint(0xc0c01003, 32);
            builder.storeUint(inMsgBody.query_id, 64);
            builder.storeDict(inMsgBody.models, Dictionary.Keys.BigUint(256), {
                serialize: ((arg: True, builder: Builder) => {
                storeTrue(arg)(builder);
            }),
                parse: () => { throw new Error('Not implemented') },
            });
        })

    }
    if ((inMsgBody.kind == 'InMsgBody_check_provider')) {
        return ((builder: Builder) => {
            builder.storeUint(0xc0c01004, 32);
            builder.storeUint(inMsgBody.query_id, 64);
            builder.storeAddress(inMsgBody.owner);
            storeRevocationSubject(inMsgBody.subject)(builder);
        })

    }
    if ((inMsgBody.kind == 'InMsgBody_queue_change')) {
        return ((builder: Builder) => {
            builder.storeUint(0xc0c01010, 32);
            builder.storeUint(inMsgBody.query_id, 64);
            let cell1 = beginCell();
            storeTimelockAction(inMsgBody.action)(cell1);
            builder.storeRef(cell1);
        })

    }
    if ((inMsgBody.kind == 'InMsgBody_execute_change')) {
        return ((builder: Builder) => {
            builder.storeUint(0xc0c01011, 32);
            builder.storeUint(inMsgBody.query_id, 64);
            builder.storeUint(inMsgBody.change_id, 32);
        })

    }
    if ((inMsgBody.kind == 'InMsgBody_cancel_change')) {
        return ((builder: Builder) => {
            builder.storeUint(0xc0c01012, 32);
            builder.storeUint(inMsgBody.query_id, 64);
            builder.storeUint(inMsgBody.change_id, 32);
        })

    }
    if ((inMsgBody.kind == 'InMsgBody_revoke_policy')) {
        return ((builder: Builder) => {
            builder.storeUint(0xc0c01020, 32);
            builder.storeUint(inMsgBody.query_id, 64);
            builder.storeBits(inMsgBody.policy_hash);
        })

    }
    if ((inMsgBody.kind == 'InMsgBody_revoke_model')) {
        return ((builder: Builder) => {
            builder.storeUint(0xc0c01021, 32);
            builder.storeUint(inMsgBody.query_id, 64);
            builder.storeBits(inMsgBody.model_hash);
        })

    }
    if ((inMsgBody.kind == 'InMsgBody_revoke_verifier_key')) {
        return ((builder: Builder) => {
            builder.storeUint(0xc0c01022, 32);
            builder.storeUint(inMsgBody.query_id, 64);
            builder.storeBits(inMsgBody.key);
        })

    }
    if ((inMsgBody.kind == 'InMsgBody_pause')) {
        return ((builder: Builder) => {
            builder.storeUint(0xc0c01023, 32);
            builder.storeUint(inMsgBody.query_id, 64);
        })

    }
    if ((inMsgBody.kind == 'InMsgBody_unpause')) {
        return ((builder: Builder) => {
            builder.storeUint(0xc0c01024, 32);
            builder.storeUint(inMsgBody.query_id, 64);
        })

    }
    if ((inMsgBody.kind == 'InMsgBody_propose_governance')) {
        return ((builder: Builder) => {
            builder.storeUint(0xc0c01030, 32);
            builder.storeUint(inMsgBody.query_id, 64);
            builder.storeAddress(inMsgBody.new_governance);
        })

    }
    if ((inMsgBody.kind == 'InMsgBody_claim_governance')) {
        return ((builder: Builder) => {
            builder.storeUint(0xc0c01031, 32);
            builder.storeUint(inMsgBody.query_id, 64);
        })

    }
    if ((inMsgBody.kind == 'InMsgBody_collect_root_excess')) {
        return ((builder: Builder) => {
            builder.storeUint(0xc0c01040, 32);
            builder.storeUint(inMsgBody.query_id, 64);
        })

    }
    if ((inMsgBody.kind == 'InMsgBody_provider_init')) {
        return ((builder: Builder) => {
            builder.storeUint(0xc0c02001, 32);
            builder.storeUint(inMsgBody.query_id, 64);
            storeCoins(inMsgBody.stake)(builder);
            let cell1 = beginCell();
            storeProviderAttestation(inMsgBody.attestation)(cell1);
            builder.storeRef(cell1);
            let cell2 = beginCell();
            storeProviderOffer(inMsgBody.offer)(cell2);
            builder.storeRef(cell2);
            builder.storeDict(inMsgBody.models, Dictionary.Keys.BigUint(256), {
                serialize: ((arg: True, builder: Builder) => {
                storeTrue(arg)(builder);
            }),
                parse: () => { throw new Error('Not implemented') },
            });
            let cell3 = beginCell();
            storeProviderParams(inMsgBody.params)(cell3);
            builder.storeRef(cell3);
        })

    }
    if ((inMsgBody.kind == 'InMsgBody_provider_reattest')) {
        return ((builder: Builder) => {
            builder.storeUint(0xc0c02002, 32);
            builder.storeUint(inMsgBody.query_id, 64);
            let cell1 = beginCell();
            storeProviderAttestation(inMsgBody.attestation)(cell1);
            builder.storeRef(cell1);
            let cell2 = beginCell();
            storeProviderParams(inMsgBody.params)(cell2);
            builder.storeRef(cell2);
        })

    }
    if ((inMsgBody.kind == 'InMsgBody_provider_set_models')) {
        return ((builder: Builder) => {
            builder.storeUint(0xc0c02003, 32);
            builder.storeUint(inMsgBody.query_id, 64);
            builder.storeDict(inMsgBody.models, Dictionary.Keys.BigUint(256), {
                serialize: ((arg: True, builder: Builder) => {
                storeTrue(arg)(builder);
            }),
                parse: () => { throw new Error('Not implemented') },
            });
            let cell1 = beginCell();
            storeProviderParams(inMsgBody.params)(cell1);
            builder.storeRef(cell1);
        })

    }
    if ((inMsgBody.kind == 'InMsgBody_provider_revoke')) {
        return ((builder: Builder) => {
            builder.storeUint(0xc0c02004, 32);
            builder.storeUint(inMsgBody.query_id, 64);
            storeRevocationSubject(inMsgBody.subject)(builder);
            builder.storeAddress(inMsgBody.keeper);
        })

    }
    if ((inMsgBody.kind == 'InMsgBody_top_up')) {
        return ((builder: Builder) => {
            builder.storeUint(0xc0c02010, 32);
            builder.storeUint(inMsgBody.query_id, 64);
            storeCoins(inMsgBody.amount)(builder);
        })

    }
    if ((inMsgBody.kind == 'InMsgBody_update_offer')) {
        return ((builder: Builder) => {
            builder.storeUint(0xc0c02011, 32);
            builder.storeUint(inMsgBody.query_id, 64);
            let cell1 = beginCell();
            storeProviderOffer(inMsgBody.offer)(cell1);
            builder.storeRef(cell1);
        })

    }
    if ((inMsgBody.kind == 'InMsgBody_request_unbond')) {
        return ((builder: Builder) => {
            builder.storeUint(0xc0c02012, 32);
            builder.storeUint(inMsgBody.query_id, 64);
        })

    }
    if ((inMsgBody.kind == 'InMsgBody_withdraw_stake')) {
        return ((builder: Builder) => {
            builder.storeUint(0xc0c02013, 32);
            builder.storeUint(inMsgBody.query_id, 64);
        })

    }
    if ((inMsgBody.kind == 'InMsgBody_excesses')) {
        return ((builder: Builder) => {
            builder.storeUint(0xd53276db, 32);
            builder.storeUint(inMsgBody.query_id, 64);
        })

    }
    if ((inMsgBody.kind == 'InMsgBody_stake_withdrawn')) {
        return ((builder: Builder) => {
            builder.storeUint(0xc0c02020, 32);
            builder.storeUint(inMsgBody.query_id, 64);
            storeCoins(inMsgBody.amount)(builder);
        })

    }
    if ((inMsgBody.kind == 'InMsgBody_request_refused')) {
        return ((builder: Builder) => {
            builder.storeUint(0xc0c02021, 32);
            builder.storeUint(inMsgBody.query_id, 64);
            builder.storeUint(inMsgBody.error, 16);
        })

    }
    if ((inMsgBody.kind == 'InMsgBody_provider_registered')) {
        return ((builder: Builder) => {
            builder.storeUint(0xc0c02022, 32);
            builder.storeUint(inMsgBody.query_id, 64);
            storeCoins(inMsgBody.stake)(builder);
        })

    }
    throw new Error('Expected one of "InMsgBody_register_provider", "InMsgBody_reattest_provider", "InMsgBody_update_provider_models", "InMsgBody_check_provider", "InMsgBody_queue_change", "InMsgBody_execute_change", "InMsgBody_cancel_change", "InMsgBody_revoke_policy", "InMsgBody_revoke_model", "InMsgBody_revoke_verifier_key", "InMsgBody_pause", "InMsgBody_unpause", "InMsgBody_propose_governance", "InMsgBody_claim_governance", "InMsgBody_collect_root_excess", "InMsgBody_provider_init", "InMsgBody_provider_reattest", "InMsgBody_provider_set_models", "InMsgBody_provider_revoke", "InMsgBody_top_up", "InMsgBody_update_offer", "InMsgBody_request_unbond", "InMsgBody_withdraw_stake", "InMsgBody_excesses", "InMsgBody_stake_withdrawn", "InMsgBody_request_refused", "InMsgBody_provider_registered" in loading "InMsgBody", but data does not satisfy any constructor');
}

// provider_offer$_ price_per_unit:Coins endpoint:^Cell = ProviderOffer;

export function loadProviderOffer(slice: Slice): ProviderOffer {
    let price_per_unit: Coins = loadCoins(slice);
    let slice1 = slice.loadRef().beginParse(true);
    let endpoint: Cell = slice1.asCell();
    return {
        kind: 'ProviderOffer',
        price_per_unit: price_per_unit,
        endpoint: endpoint,
    }

}

export function storeProviderOffer(providerOffer: ProviderOffer): (builder: Builder) => void {
    return ((builder: Builder) => {
        storeCoins(providerOffer.price_per_unit)(builder);
        let cell1 = beginCell();
        cell1.storeSlice(providerOffer.endpoint.beginParse(true));
        builder.storeRef(cell1);
    })

}

// attestation_verifier$_ key:bits256 = AttestationVerifier;

export function loadAttestationVerifier(slice: Slice): AttestationVerifier {
    let key: BitString = slice.loadBits(256);
    return {
        kind: 'AttestationVerifier',
        key: key,
    }

}

export function storeAttestationVerifier(attestationVerifier: AttestationVerifier): (builder: Builder) => void {
    return ((builder: Builder) => {
        builder.storeBits(attestationVerifier.key);
    })

}

/*
provider_attestation$_ policy_hash:bits256 operator_key:bits256 encryption_key:bits256
    attested_at:uint32 expires_at:uint32 verifier:^AttestationVerifier = ProviderAttestation;
*/

export function loadProviderAttestation(slice: Slice): ProviderAttestation {
    let policy_hash: BitString = slice.loadBits(256);
    let operator_key: BitString = slice.loadBits(256);
    let encryption_key: BitString = slice.loadBits(256);
    let attested_at: number = slice.loadUint(32);
    let expires_at: number = slice.loadUint(32);
    let slice1 = slice.loadRef().beginParse(true);
    let verifier: AttestationVerifier = loadAttestationVerifier(slice1);
    return {
        kind: 'ProviderAttestation',
        policy_hash: policy_hash,
        operator_key: operator_key,
        encryption_key: encryption_key,
        attested_at: attested_at,
        expires_at: expires_at,
        verifier: verifier,
    }

}

export function storeProviderAttestation(providerAttestation: ProviderAttestation): (builder: Builder) => void {
    return ((builder: Builder) => {
        builder.storeBits(providerAttestation.policy_hash);
        builder.storeBits(providerAttestation.operator_key);
        builder.storeBits(providerAttestation.encryption_key);
        builder.storeUint(providerAttestation.attested_at, 32);
        builder.storeUint(providerAttestation.expires_at, 32);
        let cell1 = beginCell();
        storeAttestationVerifier(providerAttestation.verifier)(cell1);
        builder.storeRef(cell1);
    })

}

/*
provider_storage_uninit$_ root:MsgAddressInt owner:MsgAddressInt state:(## 4)
    { state = 0 } = ProviderStorageUninit;
*/

export function loadProviderStorageUninit(slice: Slice): ProviderStorageUninit {
    let root: Address = slice.loadAddress();
    let owner: Address = slice.loadAddress();
    let state: number = slice.loadUint(4);
    if ((!(state == 0))) {
        throw new Error('Condition (state == 0) is not satisfied while loading "ProviderStorageUninit" for type "ProviderStorageUninit"');
    }
    return {
        kind: 'ProviderStorageUninit',
        root: root,
        owner: owner,
        state: state,
    }

}

export function storeProviderStorageUninit(providerStorageUninit: ProviderStorageUninit): (builder: Builder) => void {
    return ((builder: Builder) => {
        builder.storeAddress(providerStorageUninit.root);
        builder.storeAddress(providerStorageUninit.owner);
        builder.storeUint(providerStorageUninit.state, 4);
        if ((!(providerStorageUninit.state == 0))) {
            throw new Error('Condition (providerStorageUninit.state == 0) is not satisfied while loading "ProviderStorageUninit" for type "ProviderStorageUninit"');
        }
    })

}

/*
provider_storage$_ root:MsgAddressInt owner:MsgAddressInt state:(## 4) stake:Coins
    revoked:Bool unbond_at:uint32
    attestation:^ProviderAttestation offer:^ProviderOffer
    models:(HashmapE 256 True) params:^ProviderParams = ProviderStorage;
*/

export function loadProviderStorage(slice: Slice): ProviderStorage {
    let root: Address = slice.loadAddress();
    let owner: Address = slice.loadAddress();
    let state: number = slice.loadUint(4);
    let stake: Coins = loadCoins(slice);
    let revoked: boolean = slice.loadBoolean();
    let unbond_at: number = slice.loadUint(32);
    let slice1 = slice.loadRef().beginParse(true);
    let attestation: ProviderAttestation = loadProviderAttestation(slice1);
    let slice2 = slice.loadRef().beginParse(true);
    let offer: ProviderOffer = loadProviderOffer(slice2);
    let models: Dictionary<bigint, True> = Dictionary.load(Dictionary.Keys.BigUint(256), {
        serialize: () => { throw new Error('Not implemented') },
        parse: loadTrue,
    }, slice);
    let slice3 = slice.loadRef().beginParse(true);
    let params: ProviderParams = loadProviderParams(slice3);
    return {
        kind: 'ProviderStorage',
        root: root,
        owner: owner,
        state: state,
        stake: stake,
        revoked: revoked,
        unbond_at: unbond_at,
        attestation: attestation,
        offer: offer,
        models: models,
        params: params,
    }

}

export function storeProviderStorage(providerStorage: ProviderStorage): (builder: Builder) => void {
    return ((builder: Builder) => {
        builder.storeAddress(providerStorage.root);
        builder.storeAddress(providerStorage.owner);
        builder.storeUint(providerStorage.state, 4);
        storeCoins(providerStorage.stake)(builder);
        builder.storeBit(providerStorage.revoked);
        builder.storeUint(providerStorage.unbond_at, 32);
        let cell1 = beginCell();
        storeProviderAttestation(providerStorage.attestation)(cell1);
        builder.storeRef(cell1);
        let cell2 = beginCell();
        storeProviderOffer(providerStorage.offer)(cell2);
        builder.storeRef(cell2);
        builder.storeDict(providerStorage.models, Dictionary.Keys.BigUint(256), {
            serialize: ((arg: True, builder: Builder) => {
            storeTrue(arg)(builder);
        }),
            parse: () => { throw new Error('Not implemented') },
        });
        let cell3 = beginCell();
        storeProviderParams(providerStorage.params)(cell3);
        builder.storeRef(cell3);
    })

}

