// The public stages of a report, in order, with their colours on the citizen pages and the public map.
import type { PublicStage } from '../../api/client'

export const STAGE_STEPS: readonly PublicStage[] = ['submitted', 'accepted', 'in_progress', 'closed']

export const STAGE_COLOURS: Record<PublicStage, string> = {
  submitted: '#faad14',
  accepted: '#1677ff',
  in_progress: '#722ed1',
  closed: '#52c41a',
  declined: '#8c8c8c',
}

export const STAGE_TAG: Record<PublicStage, string> = {
  submitted: 'gold', accepted: 'blue', in_progress: 'purple', closed: 'green', declined: 'default',
}
