/**
 * Registers `engine/train/start` with the engine process's dispatcher. Progress goes out as
 * `engine/train/event` notifications; the host's `cancel` stops the run after the current micro-batch,
 * which then ends with a checkpoint and a summary whose `cancelled` is true.
 */
import { TrainingEventNotification, TrainStartRequest, type TrainingRequest } from '../../../protocol/messages';
import { EngineError, registerHandler } from '../host/dispatcher';
import { DataError } from './data';
import { runTraining, TrainingRequestError } from './run';
import { TrainerError } from './trainer';

function isTrainingRequest(value: unknown): value is TrainingRequest {
  if (value === null || typeof value !== 'object') return false;
  const request = value as Partial<TrainingRequest>;
  return Array.isArray(request.datasets) && typeof request.model === 'string' && typeof request.out === 'string';
}

registerHandler(TrainStartRequest.method, async (params, context) => {
  if (!isTrainingRequest(params)) throw new EngineError('invalid-request', 'engine/train/start needs datasets, model and out');
  try {
    return await runTraining(params, (event) => context.notify(TrainingEventNotification.method, event), context.signal);
  } catch (error) {
    if (error instanceof TrainingRequestError || error instanceof DataError || error instanceof TrainerError) throw new EngineError('invalid-request', error.message);
    throw error;
  }
});
