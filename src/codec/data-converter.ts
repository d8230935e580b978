// The data converter clients and workers use: payloads encrypted when codec keys are
// configured (see aes-gcm-codec.ts).
import type { PayloadCodec } from '@temporalio/common';
import type { RuntimeConfig } from '../config/runtime-config.ts';
import { AesGcmCodec } from './aes-gcm-codec.ts';

export function dataConverterOf(config: RuntimeConfig): { payloadCodecs: PayloadCodec[] } | undefined {
  return config.codecKeys?.length ? { payloadCodecs: [new AesGcmCodec(config.codecKeys)] } : undefined;
}
