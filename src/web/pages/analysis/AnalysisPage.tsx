// Analysis (分析研判): what happened (trends by class, source, street and unit; the top sources of each street), why
// (hot spots: grid cells and classes with recurring problems, as a heat map and a list with the reason) and what will
// happen (forecasts with their backtest error), over the user's data scope.
import { Tabs, Typography } from 'antd'
import { useTranslation } from 'react-i18next'
import { ForecastTab } from './ForecastTab'
import { HotspotsTab } from './HotspotsTab'
import { TrendsTab } from './TrendsTab'

export default function AnalysisPage() {
  const { t } = useTranslation()
  return (
    <div data-testid="analysis-page">
      <Typography.Title level={4} style={{ marginTop: 0 }}>{t('analysis.title')}</Typography.Title>
      <Tabs
        destroyOnHidden
        items={[
          { key: 'trends', label: t('analysis.trends'), children: <TrendsTab /> },
          { key: 'hotspots', label: t('analysis.hotspots'), children: <HotspotsTab /> },
          { key: 'forecast', label: t('analysis.forecast'), children: <ForecastTab /> },
        ]}
      />
    </div>
  )
}
