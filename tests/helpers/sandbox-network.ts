/**
 * A Blueprint NetworkProvider backed by the local sandbox, so that the
 * scripts in scripts/ run unchanged in tests: `sender()` is a sandbox
 * treasury (switchable with `as`), `open()` is `blockchain.openContract`,
 * `ui()` collects what the script writes, and prompts fail (scripts must take
 * everything from their arguments). Every message sent is recorded with its
 * sandbox result, so tests can assert on the transactions.
 */
import { Address, Cell, Contract, OpenedContract, SenderArguments, StateInit } from '@ton/core';
import { Blockchain, SandboxContract, SendMessageResult, TreasuryContract } from '@ton/sandbox';
import { NetworkProvider, SenderWithSendResult, UIProvider } from '@ton/blueprint';

export class CollectingUI implements UIProvider {
    readonly lines: string[] = [];

    write(message: string): void {
        this.lines.push(...message.split('\n'));
    }
    async prompt(message: string): Promise<boolean> {
        throw new Error(`a script prompted in a non-interactive run: ${message}`);
    }
    async inputAddress(message: string): Promise<Address> {
        throw new Error(`a script prompted in a non-interactive run: ${message}`);
    }
    async input(message: string): Promise<string> {
        throw new Error(`a script prompted in a non-interactive run: ${message}`);
    }
    async choose<T>(message: string): Promise<T> {
        throw new Error(`a script prompted in a non-interactive run: ${message}`);
    }
    setActionPrompt(): void {}
    clearActionPrompt(): void {}

    get text(): string {
        return this.lines.join('\n');
    }
}

export class SandboxNetwork implements NetworkProvider {
    readonly ui_ = new CollectingUI();
    /** Every message a script sent, with the sandbox's result. */
    readonly sent: { args: SenderArguments; result: SendMessageResult }[] = [];
    private wallet: SandboxContract<TreasuryContract>;

    constructor(
        readonly blockchain: Blockchain,
        wallet: SandboxContract<TreasuryContract>,
    ) {
        this.wallet = wallet;
    }

    /** Switches the wallet the scripts send from; returns this for chaining. */
    as(wallet: SandboxContract<TreasuryContract>): this {
        this.wallet = wallet;
        return this;
    }

    /** Clears the collected output and sent messages (between two script runs). */
    reset(): this {
        this.ui_.lines.length = 0;
        this.sent.length = 0;
        return this;
    }

    get output(): string {
        return this.ui_.text;
    }

    network() {
        return 'custom' as const;
    }

    explorer() {
        return 'tonviewer' as const;
    }

    sender(): SenderWithSendResult {
        const wallet = this.wallet;
        const sent = this.sent;
        return {
            address: wallet.address,
            async send(args: SenderArguments) {
                sent.push({ args, result: await wallet.send(args) });
            },
        };
    }

    api(): never {
        throw new Error('the sandbox network has no API client');
    }

    provider(address: Address, init?: { code?: Cell; data?: Cell }) {
        const stateInit: StateInit | undefined = init ? { code: init.code, data: init.data } : undefined;
        return this.blockchain.provider(address, stateInit);
    }

    async isContractDeployed(address: Address): Promise<boolean> {
        return (await this.blockchain.getContract(address)).accountState?.type === 'active';
    }

    async waitForDeploy(address: Address): Promise<void> {
        if (!(await this.isContractDeployed(address))) throw new Error(`contract ${address.toString()} was not deployed`);
    }

    async waitForLastTransaction(): Promise<void> {}

    async getContractState(address: Address) {
        return this.blockchain.provider(address).getState();
    }

    async getConfig(): Promise<never> {
        throw new Error('getConfig is not available on the sandbox network');
    }

    async deploy(contract: Contract, value: bigint, body?: Cell): Promise<void> {
        await this.sender().send({ to: contract.address, value, body, init: contract.init ?? undefined });
    }

    open<T extends Contract>(contract: T): OpenedContract<T> {
        return this.blockchain.openContract(contract) as unknown as OpenedContract<T>;
    }

    ui(): UIProvider {
        return this.ui_;
    }
}
